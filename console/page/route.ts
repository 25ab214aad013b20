/** Which view the address names (#/reviews, #/history/<q>, #/executions[/<id>], #/eval), and drawing it. */
import { banner } from './dom.js';
import { renderEval } from './eval/view.js';
import { renderExecution } from './executions/execution.js';
import { renderExecutions } from './executions/list.js';
import { renderHistory } from './history.js';
import { renderReviews } from './reviews/queue.js';

export function currentView(): string {
  return (location.hash.replace(/^#\//, '').split('/')[0] || 'reviews').toLowerCase();
}

export async function route(): Promise<void> {
  banner('');
  const [name, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  const v = (name || 'reviews').toLowerCase();
  document.querySelectorAll<HTMLElement>('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === v));
  if (v === 'history') await renderHistory(arg);
  else if (v === 'executions' && arg) await renderExecution(arg);
  else if (v === 'executions') await renderExecutions();
  else if (v === 'eval') await renderEval();
  else await renderReviews();
  document.body.dataset.ready = v;
}
