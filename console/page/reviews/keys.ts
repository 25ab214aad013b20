/** The queue's keys: j/k next/previous, a approve, r reject, n note, / filter; Escape leaves a field. */
import { currentView } from '../route.js';
import { decidable, decideReview, highlight, queueState } from './queue.js';

export function onQueueKey(e: KeyboardEvent): void {
  if (currentView() !== 'reviews') return;
  const active = document.activeElement;
  const typing = ['TEXTAREA', 'INPUT', 'SELECT'].includes(active?.tagName ?? '');
  if (typing) {
    if (e.key === 'Escape') (active as HTMLElement).blur();
    return;
  }
  const card = document.querySelector<HTMLElement>('.card.selected');
  const item = queueState.items[queueState.selected];
  switch (e.key) {
    case 'j':
      queueState.selected = Math.min(queueState.selected + 1, queueState.items.length - 1);
      highlight();
      break;
    case 'k':
      queueState.selected = Math.max(queueState.selected - 1, 0);
      highlight();
      break;
    case 'a':
    case 'r':
      if (card && item && decidable(item))
        void decideReview(item, e.key === 'a' ? 'approve' : 'reject', card.querySelector<HTMLTextAreaElement>('.note')?.value ?? '', card);
      break;
    case 'n':
      card?.querySelector<HTMLElement>('.note')?.focus();
      e.preventDefault();
      break;
    case '/':
      document.getElementById('filter-category')?.focus();
      e.preventDefault();
      break;
    default:
      return;
  }
}
