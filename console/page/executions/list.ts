/** The executions list: the CLI's recorded local runs, or a deployed state machine's, each linked to the AWS console. */
import type { ExecutionsResponse } from '../../server/api.js';
import { api, messageOf } from '../api.js';
import { h, view } from '../dom.js';
import { ms, when } from '../format.js';

export async function renderExecutions(): Promise<void> {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading executions…'));
  let data: ExecutionsResponse;
  try {
    data = await api<ExecutionsResponse>('/api/executions');
  } catch (err) {
    root.replaceChildren(h('p', {}, `Executions are not available: ${messageOf(err)}`));
    return;
  }
  if (!data.executions.length) {
    root.replaceChildren(
      h(
        'p',
        {},
        data.kind === 'local' ? 'No recorded executions yet: moderate an image with npm start, then reload.' : 'No executions of this state machine yet.',
      ),
    );
    return;
  }
  const rows = data.executions.map((e) => {
    const open = () => {
      if (e.consoleUrl) window.open(e.consoleUrl, '_blank', 'noopener,noreferrer');
      else location.hash = `#/executions/${encodeURIComponent(e.id)}`;
    };
    return h(
      'tr',
      { class: 'clickable', 'data-execution-id': e.id, onclick: open },
      h('td', {}, when(e.startedAt)),
      h('td', {}, h('span', { class: `pill ${e.status}` }, e.status)),
      h('td', {}, e.decision ?? ''),
      h('td', { class: 'input' }, e.input?.imageUrl ?? e.id),
      h('td', {}, ms(e.totalMs)),
      h(
        'td',
        {},
        e.consoleUrl
          ? h('a', { href: e.consoleUrl, target: '_blank', rel: 'noopener noreferrer', onclick: (ev) => ev.stopPropagation() }, 'AWS console ↗')
          : h('a', { href: `#/executions/${encodeURIComponent(e.id)}` }, 'open'),
      ),
    );
  });
  root.replaceChildren(
    h(
      'table',
      { id: 'executions' },
      h('thead', {}, h('tr', {}, ...['started', 'end state', 'decision', 'input', 'duration', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows),
    ),
  );
}
