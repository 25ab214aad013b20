/** One review threshold swept alone: false-flag rate and recall against the threshold, the policy's marked. */
import type { EvalResponse } from '../../server/api.js';
import { h, s } from '../dom.js';

type Curve = NonNullable<EvalResponse['report']['sweep']>[number];
type Point = Curve['points'][number];

export function sweepChart(curve: Curve): HTMLElement {
  const W = 260;
  const H = 150;
  const m = { l: 34, r: 8, t: 8, b: 24 };
  const pts = curve.points ?? [];
  const xs = pts.map((p) => p.threshold);
  const x0 = Math.min(...xs, curve.current);
  const x1 = Math.max(...xs, curve.current);
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - y * (H - m.t - m.b);
  // As eval's own sweep.svg: a category's threshold is judged by that category's recall where photos are labelled in it.
  const value = { falseFlagRate: (p: Point) => p.falseFlagRate, recall: (p: Point) => p.categoryRecall ?? p.recall };
  const line = (key: keyof typeof value) => pts.map((p, i) => `${i ? 'L' : 'M'} ${X(p.threshold).toFixed(1)} ${Y(value[key](p) ?? 0).toFixed(1)}`).join(' ');
  const svg = s(
    'svg',
    { width: W, height: H, role: 'img', 'aria-label': `${curve.category} ${curve.source}` },
    s('line', { class: 'axis', x1: m.l, y1: Y(0), x2: W - m.r, y2: Y(0) }),
    s('line', { class: 'axis', x1: m.l, y1: Y(0), x2: m.l, y2: Y(1) }),
    s('text', { x: 2, y: Y(1) + 4 }, '100%'),
    s('text', { x: 12, y: Y(0) + 4 }, '0%'),
    s('text', { x: m.l, y: H - 6 }, String(x0)),
    s('text', { x: W - m.r - 16, y: H - 6 }, String(x1)),
    s('line', { class: 'current', x1: X(curve.current), y1: Y(0), x2: X(curve.current), y2: Y(1) }),
    s('path', { class: 'ffr', d: line('falseFlagRate') }),
    s('path', { class: 'recall', d: line('recall') }),
  );
  return h('figure', { class: 'chart' }, h('h3', {}, `${curve.category} · ${curve.source} (review ≥ ${curve.current})`), svg);
}
