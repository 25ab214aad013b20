/**
 * A verdict's image quality: the 0-100 score, each issue in words (the policy's message, its value and
 * band), and every measure in a compact table grouped by what it judges, the ones past a band marked.
 */
import type { VerdictRecord } from '../server/api.js';
import { h } from './dom.js';

type Quality = NonNullable<VerdictRecord['verdict']['quality']>;
type Measures = Quality['measures'];
type MeasureName = keyof Measures;

/**
 * The table's rows. A measure missing here still shows (in "other"), so a measure added to the contract
 * never silently disappears from the page.
 */
const GROUPS: Array<[string, MeasureName[]]> = [
  ['size', ['width', 'height', 'longSide', 'megapixels']],
  ['blur', ['sharpness']],
  ['exposure', ['brightness', 'shadows', 'highlights', 'clippedShadows', 'clippedHighlights']],
  ['contrast', ['contrast', 'tonalRange']],
  ['noise', ['noise', 'noiseScaleRatio', 'chromaNoise', 'impulseNoise']],
  ['compression', ['jpegQuality', 'jpegTableFit', 'blockiness']],
];
/** Flags, not measures: said in words in the panel's heading instead of as table cells. */
const FLAGS: MeasureName[] = ['measurable', 'uniform'];

/** A measure as it reads: null is "not measured", fractions to three significant digits. */
export function measureText(v: number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number' || !Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

export function qualityPanel(q: Quality | undefined): HTMLElement {
  if (!q) return h('div', { class: 'quality muted' }, 'quality: not assessed (a verdict from before quality, or no image was fetched)');
  const flagged = new Set(q.issues.map((i) => i.measure));
  const grouped = new Set<string>([...GROUPS.flatMap(([, ms]) => ms), ...FLAGS]);
  const other = (Object.keys(q.measures) as MeasureName[]).filter((m) => !grouped.has(m));
  const rows = [...GROUPS, ...(other.length ? ([['other', other]] as Array<[string, MeasureName[]]>) : [])];
  const m = q.measures;
  const notes = [m.measurable === false ? 'too small to measure' : null, m.uniform ? 'one colour (blank)' : null].filter(Boolean);
  return h(
    'div',
    { class: 'quality', 'data-score': q.score },
    h(
      'div',
      {},
      h('strong', {}, 'Quality '),
      h('span', { class: `pill ${q.score < 50 ? 'review' : 'approve'} quality-score` }, `${measureText(q.score)}/100`),
      notes.length ? h('span', { class: 'muted' }, ` ${notes.join(', ')}`) : null,
    ),
    q.issues.length
      ? h(
          'ul',
          { class: 'quality-issues' },
          ...q.issues.map((i) => h('li', { 'data-kind': i.kind, 'data-measure': i.measure }, h('span', { class: 'pill review' }, i.kind), ' ', i.message)),
        )
      : h('div', { class: 'muted quality-issues' }, 'no quality issue under the policy’s bands'),
    h(
      'table',
      { class: 'measures' },
      h(
        'tbody',
        {},
        ...rows.map(([group, names]) =>
          h(
            'tr',
            {},
            h('th', {}, group),
            h(
              'td',
              {},
              ...names.map((n) =>
                h(
                  'span',
                  { class: flagged.has(n) ? 'measure flagged' : 'measure', 'data-measure': n },
                  h('span', { class: 'muted' }, `${n} `),
                  measureText(m[n]),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
