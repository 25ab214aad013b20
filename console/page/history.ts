/** Verdict history: every recorded verdict of a post or an image, with who decided, when and why. */
import type { VerdictsResponse } from '../server/api.js';
import { api, messageOf } from './api.js';
import { h, view } from './dom.js';
import { when } from './format.js';
import { reasonLine, thumb } from './verdict-parts.js';

export async function renderHistory(query: string | undefined): Promise<void> {
  const root = view();
  const input = h('input', { id: 'history-q', type: 'search', placeholder: 'post id or sha256', value: query ?? '', size: 70 });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        location.hash = `#/history/${encodeURIComponent(input.value.trim())}`;
      },
    },
    input,
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('div', { id: 'history-results' });
  root.replaceChildren(form, results);
  if (!query) {
    results.append(h('p', { class: 'muted' }, 'Search by post id, or by the image’s sha256 (64 hex digits).'));
    return;
  }
  const param = /^[0-9a-f]{64}$/i.test(query) ? `sha256=${encodeURIComponent(query.toLowerCase())}` : `postId=${encodeURIComponent(query)}`;
  try {
    const { verdicts } = await api<VerdictsResponse>(`/api/verdicts?${param}`);
    if (!verdicts.length) {
      results.append(h('p', {}, `No verdict recorded for ${query}.`));
      return;
    }
    results.append(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['', 'decision', 'decided by', 'when', 'note / why', 'posts', 'ruleset'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          ...verdicts.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, thumb(r.verdict?.image, 160)),
              h('td', {}, h('span', { class: `pill ${r.decision}` }, r.decision)),
              h('td', { class: 'decided-by' }, r.decidedBy),
              h('td', {}, when(r.decidedAt)),
              h('td', {}, r.note ? h('div', {}, `note: ${r.note}`) : null, h('ul', {}, ...(r.verdict?.reasons ?? []).map(reasonLine))),
              h('td', {}, (r.postIds ?? []).join(', ')),
              h('td', { class: 'muted' }, r.ruleset),
            ),
          ),
        ),
      ),
    );
  } catch (err) {
    results.append(h('p', {}, `History is not available: ${messageOf(err)}`));
  }
}
