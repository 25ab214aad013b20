/** The last `npm run eval` report: its figures, the photos it could not moderate, the sweep, the offenders. */
import type { EvalResponse } from '../../server/api.js';
import { api, messageOf } from '../api.js';
import { h, view } from '../dom.js';
import { ms } from '../format.js';
import { sweepChart } from './sweep-chart.js';

type Report = EvalResponse['report'];

export async function renderEval(): Promise<void> {
  const root = view();
  let data: EvalResponse;
  try {
    data = await api<EvalResponse>('/api/eval');
  } catch (err) {
    root.replaceChildren(h('p', {}, messageOf(err)));
    return;
  }
  const r = data.report;
  const number = (label: string, value: string | number) => h('div', {}, h('b', {}, value), label);
  // replaceChildren, unlike h(), would print an absent block as the text "null".
  const blocks = [
    h('p', { class: 'muted' }, `${data.path}${r.labels ? ` · labels ${r.labels}` : ''}${r.timing ? ` · ${ms(r.timing.msPerImage)} per image` : ''}`),
    h(
      'div',
      { class: 'numbers' },
      number('images', r.images ?? '—'),
      number(
        'false-flag rate (benign held or rejected)',
        r.falseFlagRate !== undefined ? `${(r.falseFlagRate * 100).toFixed(1)}% (${r.falseFlags}/${r.benign})` : '—',
      ),
      number('false rejects', r.falseRejects ?? '—'),
      number('recall (sensitive caught)', r.recall !== undefined ? `${(r.recall * 100).toFixed(1)}% (${r.caught}/${r.sensitive})` : '—'),
      number('either-way photos flagged', r.either ? `${r.either.flagged}/${r.either.count}` : '—'),
    ),
    failures(r.failures),
    h('h3', {}, 'Operating points: each review threshold swept alone'),
    h(
      'p',
      { class: 'muted' },
      'red: false-flag rate among benign photos · green: recall among the category’s sensitive photos (all sensitive photos where none is labelled in it) · dashed: the policy’s threshold',
    ),
    h('div', { class: 'charts' }, ...(r.sweep ?? []).map(sweepChart)),
    offenders(r.offenders),
  ];
  root.replaceChildren(...blocks.filter((b): b is HTMLElement => Boolean(b)));
}

/** Photos the eval could not moderate are missing from every figure: say so above them. */
function failures(list: Report['failures']): HTMLElement | null {
  if (!list?.length) return null;
  return h(
    'section',
    { class: 'failures' },
    h('h3', {}, `Not moderated (${list.length}): the figures leave these photos out`),
    h('ul', {}, ...list.map((f) => h('li', {}, `${f.file}: ${f.error?.name ?? 'Error'}: ${f.error?.message ?? ''}`))),
  );
}

function offenders(o: Report['offenders']): HTMLElement | null {
  if (!o) return null;
  type Offender = NonNullable<Report['offenders']>['missed'][number];
  const block = (title: string, list: Offender[] | undefined) =>
    list?.length
      ? [h('h3', {}, `${title} (${list.length})`), h('ul', {}, ...list.map((x) => h('li', {}, `${x.file} → ${x.decision}: ${(x.why ?? []).join(' ')}`)))]
      : [];
  return h('section', { class: 'offenders' }, ...block('False rejects', o.falseRejects), ...block('False flags', o.falseFlags), ...block('Missed', o.missed));
}
