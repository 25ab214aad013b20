/** The pane beside the graph: one state's input, output, error, retries, timing and definition. */
import type { ExecutionRecord, StateRun } from '../../server/api.js';
import { h } from '../dom.js';
import { json, ms } from '../format.js';
import type { StateNodes } from './graph-svg.js';
import { OUTCOME_LABEL } from './outcomes.js';

type Machine = ExecutionRecord['definition'];
type Tab = 'Input' | 'Output' | 'Error' | 'Retries' | 'Definition';

export function showState(name: string, run: StateRun | undefined, record: ExecutionRecord, detail: HTMLElement, nodes: StateNodes): void {
  nodes.forEach((gs, state) => gs.forEach((g) => g.classList.toggle('selected', state === name)));
  const def = findState(record.definition, name);
  const tabs: Record<Tab, () => HTMLElement> = {
    Input: () => h('pre', { class: 'state-input' }, json(run?.input)),
    Output: () => h('pre', { class: 'state-output' }, run?.output === undefined ? '(no output)' : json(run.output)),
    Error: () => h('pre', { class: 'state-error' }, run?.error ? `${run.error.Error}\n\n${run.error.Cause ?? ''}` : '(no error)'),
    Retries: () =>
      run?.retries?.length
        ? h(
            'ol',
            { class: 'state-retries' },
            ...run.retries.map((r) => h('li', {}, `attempt ${r.attempt + 1} after ${r.error ? `${r.error.Error}: ${r.error.Cause ?? ''}` : 'an error'}`)),
          )
        : h('p', { class: 'muted' }, 'No retries.'),
    Definition: () => h('pre', {}, json(def)),
  };
  const body = h('div', {});
  const buttons = (Object.keys(tabs) as Tab[]).map((t) => h('button', { 'data-tab': t, onclick: () => select(t) }, t));
  const select = (t: Tab) => {
    buttons.forEach((b) => b.classList.toggle('active', b.dataset.tab === t));
    body.replaceChildren(tabs[t]());
  };
  detail.replaceChildren(
    h('h2', {}, name),
    run
      ? h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'type'),
          h('dd', {}, run.type),
          h('dt', {}, 'outcome'),
          h('dd', { class: 'state-outcome' }, OUTCOME_LABEL[run.outcome] ?? run.outcome),
          h('dt', {}, 'started'),
          h('dd', {}, `+${ms(run.startMs)} after the execution started`),
          h('dt', {}, 'duration'),
          h('dd', { class: 'state-duration' }, ms(run.durationMs) || '—'),
          h('dt', {}, 'retries'),
          h('dd', {}, String(run.retries.length)),
        )
      : h('p', { class: 'muted' }, 'This state did not run in this execution.'),
    h('div', { class: 'tabs' }, ...buttons),
    body,
  );
  select(run?.error ? 'Error' : run ? 'Output' : 'Definition');
}

/** A state's definition, inside Parallel branches too. */
function findState(machine: Machine | undefined, name: string): Machine['States'][string] | undefined {
  for (const [n, st] of Object.entries(machine?.States ?? {})) {
    if (n === name) return st;
    for (const b of 'Branches' in st ? st.Branches : []) {
      const found = findState(b, name);
      if (found) return found;
    }
  }
  return undefined;
}
