/** One recorded execution: its summary, the graph it ran on, the state pane and the states in order. */
import type { ExecutionResponse, StateRun } from '../../server/api.js';
import { api, messageOf } from '../api.js';
import { h, view } from '../dom.js';
import { ms, when } from '../format.js';
import { drawGraph } from './graph-svg.js';
import { OUTCOME_LABEL } from './outcomes.js';
import { filmstrip } from '../filmstrip.js';
import { qualityPanel } from '../quality.js';
import { postPanel } from '../relevance.js';
import { showState } from './state-detail.js';

export async function renderExecution(id: string): Promise<void> {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the execution…'));
  let data: ExecutionResponse;
  try {
    data = await api<ExecutionResponse>(`/api/executions/${encodeURIComponent(id)}`);
  } catch (err) {
    root.replaceChildren(h('p', {}, `Execution ${id}: ${messageOf(err)}`));
    return;
  }
  const { record } = data;
  // The last visit of each state decides its colour (a retried state that then succeeded is green).
  const runs = new Map<string, StateRun>();
  for (const r of record.states) runs.set(r.name, r);
  const detail = h(
    'section',
    { class: 'detail', id: 'state-detail' },
    h('p', { class: 'muted' }, 'Click a state to see its input, output, error, retries and timing.'),
  );
  const { svg, nodes } = drawGraph(data, runs, (state) => showState(state, runs.get(state), record, detail, nodes));

  const v = record.verdict;
  const summary = h(
    'dl',
    { class: 'kv' },
    h('dt', {}, 'input'),
    h('dd', { class: 'input' }, record.input?.imageUrl ?? ''),
    h('dt', {}, 'end state'),
    h('dd', {}, h('span', { class: `pill ${record.status}` }, record.status), record.error ? ` ${record.error.Error}: ${record.error.Cause ?? ''}` : ''),
    h('dt', {}, 'decision'),
    h('dd', {}, v ? h('span', { class: `pill ${v.decision}` }, v.decision) : '—'),
    h('dt', {}, 'started'),
    h('dd', {}, `${when(record.startedAt)} · total ${ms(record.totalMs)}`),
    h('dt', {}, 'id'),
    h('dd', { class: 'muted' }, record.id),
  );
  const legend = h(
    'div',
    { class: 'legend' },
    ...(['succeeded', 'caught', 'failed', 'notrun'] as const).map((o) => h('span', {}, h('i', { class: `sw ${o}` }), OUTCOME_LABEL[o])),
  );
  const timeline = h(
    'table',
    { id: 'timeline' },
    h('thead', {}, h('tr', {}, ...['state', 'outcome', 'started at', 'duration', 'retries'].map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...record.states.map((r) =>
        h(
          'tr',
          { class: 'clickable', onclick: () => showState(r.name, r, record, detail, nodes) },
          h('td', {}, `${r.parents.length ? '  └ ' : ''}${r.name}`),
          h('td', {}, h('span', { class: `pill ${r.outcome === 'succeeded' ? 'approve' : r.outcome === 'failed' ? 'reject' : 'review'}` }, r.outcome)),
          h('td', {}, `+${ms(r.startMs)}`),
          h('td', {}, ms(r.durationMs)),
          h('td', {}, r.retries.length || ''),
        ),
      ),
    ),
  );
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/executions' }, '← all executions')),
    h(
      'div',
      { class: 'exec' },
      h(
        'div',
        {},
        summary,
        v ? filmstrip(v.image, v.reasons) : null,
        h('div', { class: 'fit' }, postPanel(record.input?.post, v?.relevance, record.input?.postId), v ? qualityPanel(v.quality) : null),
        legend,
        h('div', { class: 'graph' }, svg),
      ),
      h('div', {}, detail, h('h3', {}, 'States in order'), timeline),
    ),
  );
}
