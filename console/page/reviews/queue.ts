/** The review queue: held images with why they are held, approve / reject with a note. */
import type { DecideBody, DecideResponse, PublicReviewItem, ReviewsResponse } from '../../server/api.js';
import { api, messageOf } from '../api.js';
import { banner, h, view } from '../dom.js';
import { pct, when } from '../format.js';
import { filmstrip } from '../filmstrip.js';
import { qualityPanel } from '../quality.js';
import { postPanel } from '../relevance.js';
import { reasonLine, thumb } from '../verdict-parts.js';

type Status = ReviewsResponse['status'];
export type Decision = 'approve' | 'reject';

/** What the keys act on: the items shown and the selected one. */
export const queueState: { items: PublicReviewItem[]; selected: number; status: Status; category: string } = {
  items: [],
  selected: 0,
  status: 'pending',
  category: '',
};

const STATUSES: Status[] = ['pending', 'approved', 'rejected', 'expired'];

function categoriesOf(item: PublicReviewItem): string[] {
  return [...new Set((item.verdict?.reasons ?? []).map((r) => r.category).filter((c): c is string => Boolean(c)))];
}

export async function renderReviews(): Promise<void> {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the queue…'));
  let data: ReviewsResponse;
  try {
    const q = new URLSearchParams({ status: queueState.status });
    // A local queue has nothing else ending its reviews: end the ones past their deadline first (a POST:
    // the server never writes on a read).
    await api<{ expired: number }>('/api/reviews/expire-due', { method: 'POST', body: {} });
    data = await api<ReviewsResponse>(`/api/reviews?${q}`);
  } catch (err) {
    root.replaceChildren(h('p', {}, `The review queue is not available: ${messageOf(err)}`));
    return;
  }
  const all = data.reviews;
  const categories = [...new Set(all.flatMap(categoriesOf))].sort();
  const items = queueState.category ? all.filter((i) => categoriesOf(i).includes(queueState.category)) : all;
  queueState.items = items;
  queueState.selected = Math.min(queueState.selected, Math.max(0, items.length - 1));

  const refilter = (set: (value: string) => void) => (e: Event) => {
    set((e.target as HTMLSelectElement).value);
    queueState.selected = 0;
    void renderReviews();
  };
  const statusSelect = h(
    'select',
    { id: 'filter-status', 'aria-label': 'decision', onchange: refilter((v) => (queueState.status = v as Status)) },
    ...STATUSES.map((st) => h('option', { value: st, selected: st === queueState.status }, st)),
  );
  const categorySelect = h(
    'select',
    { id: 'filter-category', 'aria-label': 'category', onchange: refilter((v) => (queueState.category = v)) },
    h('option', { value: '' }, 'all categories'),
    ...categories.map((c) => h('option', { value: c, selected: c === queueState.category }, c)),
  );
  const list = h('div', { class: 'queue' }, ...items.map((item, i) => reviewCard(item, i)));
  root.replaceChildren(
    h(
      'div',
      { class: 'filters' },
      h('label', {}, 'Decision ', statusSelect),
      h('label', {}, 'Category ', categorySelect),
      h('span', { class: 'muted', id: 'queue-count' }, `${items.length} item${items.length === 1 ? '' : 's'}`),
    ),
    items.length
      ? list
      : h('p', { class: 'muted', id: 'queue-empty' }, queueState.status === 'pending' ? 'Nothing waiting for review.' : `No ${queueState.status} reviews.`),
  );
  highlight();
}

/** Pending, or expired: the deadline passed undecided, and a decision still counts for the image's next submission. */
export function decidable(item: PublicReviewItem): boolean {
  return item.status === 'pending' || item.status === 'expired';
}

function reviewCard(item: PublicReviewItem, index: number): HTMLElement {
  const v: Partial<PublicReviewItem['verdict']> = item.verdict ?? {};
  const triggering = (v.reasons ?? []).filter((r) => r.code !== 'clean');
  const note = h('textarea', { placeholder: 'note (why)', 'aria-label': 'note', class: 'note', disabled: !decidable(item) });
  const decide = (decision: Decision) => void decideReview(item, decision, note.value, card);
  const card = h(
    'article',
    {
      class: 'card',
      'data-review-id': item.reviewId,
      'data-index': index,
      onclick: () => {
        queueState.selected = index;
        highlight();
      },
    },
    thumb(v.image),
    h(
      'div',
      {},
      h(
        'h3',
        {},
        (item.postIds ?? []).length ? `post ${item.postIds.join(', ')}` : item.posts?.length ? 'post without an id' : 'no post',
        ' ',
        h('span', { class: `pill ${item.status}` }, item.status),
      ),
      item.imageUrl ? h('div', { class: 'muted url' }, item.imageUrl) : null,
      h('div', { class: 'muted' }, `sha256 ${item.sha256.slice(0, 16)}… · deadline ${when(item.deadline)}`),
      ...(item.posts ?? []).map((p) => postPanel(p, p.relevance, p.postId)),
      h('strong', {}, 'Why it is held'),
      h('ul', { class: 'reasons' }, ...triggering.map(reasonLine)),
      filmstrip(v.image, v.reasons),
      qualityPanel(v.quality),
      h('strong', {}, 'Labels'),
      h(
        'ul',
        { class: 'labels' },
        ...(v.moderation ?? []).map((m) => h('li', {}, `${m.name}${m.parentName ? ` (${m.parentName})` : ''} ${pct(m.confidence)}`)),
        ...(v.labels ?? []).map((l) => h('li', {}, `${l.label} ${pct(l.score * 100)}`)),
      ),
      h('div', { class: 'tags' }, ...(v.seoTags ?? []).map((t) => h('span', {}, t))),
      h('div', { class: 'alt' }, h('span', { class: 'muted' }, 'alt text: '), v.altText ?? ''),
    ),
    h(
      'div',
      { class: 'actions' },
      note,
      h(
        'div',
        { class: 'buttons' },
        h('button', { class: 'approve', disabled: !decidable(item), onclick: () => decide('approve') }, 'Approve (a)'),
        h('button', { class: 'reject', disabled: !decidable(item), onclick: () => decide('reject') }, 'Reject (r)'),
      ),
      item.status === 'expired'
        ? h(
            'div',
            { class: 'muted expired-note' },
            `Expired ${when(item.expiredAt)}: nobody decided by the deadline, so the image was not approved (the timeout outcome). A decision now still counts for its next submission.`,
          )
        : null,
      item.decidedBy ? h('div', { class: 'muted' }, `${item.status} by ${item.decidedBy} ${when(item.decidedAt)}${item.note ? `: ${item.note}` : ''}`) : null,
    ),
  );
  return card;
}

export function highlight(): void {
  document.querySelectorAll<HTMLElement>('.card').forEach((c) => c.classList.toggle('selected', Number(c.dataset.index) === queueState.selected));
  document.querySelector('.card.selected')?.scrollIntoView({ block: 'nearest' });
}

export async function decideReview(item: PublicReviewItem, decision: Decision, note: string, card: HTMLElement): Promise<void> {
  card.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    const body: DecideBody = { note: note || undefined };
    await api<DecideResponse>(`/api/reviews/${encodeURIComponent(item.reviewId)}/${decision}`, { method: 'POST', body });
    banner(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${item.postIds?.[0] ?? item.sha256.slice(0, 12)}.`, 'info');
    await renderReviews();
  } catch (err) {
    banner(`Could not ${decision}: ${messageOf(err)}`);
    card.querySelectorAll('button').forEach((b) => (b.disabled = false));
  }
}
