/**
 * The sweep as a picture: one curve per category and source, false-flag rate across, recall up (the
 * category's own recall where photos are labelled in it, else all sensitive photos). A self-contained SVG
 * and an HTML page around it with the numbers; every text is escaped (category names come from data).
 */
import type { EvalSummary } from './score.js';
import type { SweepCurve } from './sweep.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function sweepSvg(curves: readonly SweepCurve[]): string {
  const W = 760,
    H = 460,
    L = 60,
    R = 230,
    T = 20,
    B = 50;
  const maxRate = Math.max(0.05, ...curves.flatMap((c) => c.points.map((p) => p.falseFlagRate)));
  const xMax = Math.ceil(maxRate * 100) / 100;
  const x = (rate: number) => L + (rate / xMax) * (W - L - R);
  const y = (recall: number) => T + (1 - recall) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const r = (xMax * i) / 5,
      v = i / 5;
    parts.push(
      `<line x1="${x(r)}" y1="${T}" x2="${x(r)}" y2="${H - B}" stroke="#eee"/><text x="${x(r)}" y="${H - B + 15}" text-anchor="middle">${(r * 100).toFixed(1)}%</text>`,
    );
    parts.push(
      `<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v * 100}%</text>`,
    );
  }
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">benign photos flagged (false-flag rate)</text>`);
  parts.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">sensitive photos flagged (recall)</text>`);
  curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = c.points.map((p) => ({ p, cx: x(p.falseFlagRate), cy: y(p.categoryRecall ?? p.recall) }));
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" stroke-dasharray="${c.source === 'safety' ? '4 3' : ''}" points="${pts.map((q) => `${q.cx.toFixed(1)},${q.cy.toFixed(1)}`).join(' ')}"/>`,
    );
    for (const q of pts) {
      const current = q.p.threshold === c.current;
      parts.push(
        `<circle cx="${q.cx.toFixed(1)}" cy="${q.cy.toFixed(1)}" r="${current ? 5 : 2.5}" fill="${current ? colour : '#fff'}" stroke="${colour}"><title>${esc(`${c.category} (${c.source}) review at ${q.p.threshold}: ${q.p.falseFlags} false flags (${(q.p.falseFlagRate * 100).toFixed(1)}%), recall ${((q.p.categoryRecall ?? q.p.recall) * 100).toFixed(0)}%`)}</title></circle>`,
      );
    }
    const ly = T + 14 * i + 8;
    parts.push(
      `<line x1="${W - R + 12}" y1="${ly}" x2="${W - R + 32}" y2="${ly}" stroke="${colour}" stroke-width="2" stroke-dasharray="${c.source === 'safety' ? '4 3' : ''}"/>`,
    );
    parts.push(`<text x="${W - R + 36}" y="${ly + 4}">${esc(`${c.category} · ${c.source} (${c.current})`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function reportHtml(summary: EvalSummary, curves: readonly SweepCurve[], title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = curves.flatMap((c) =>
    c.points.map(
      (p) =>
        `<tr${p.threshold === c.current ? ' class="current"' : ''}><td>${esc(c.category)}</td><td>${c.source}</td><td>${p.threshold}</td><td>${p.falseFlags} (${pct(p.falseFlagRate)})</td><td>${p.falseRejects}</td><td>${pct(p.recall)}</td><td>${p.categoryRecall === null ? '-' : pct(p.categoryRecall)}</td></tr>`,
    ),
  );
  const list = (xs: { file: string; why: string[] }[]) =>
    xs.length ? `<ul>${xs.map((o) => `<li><code>${esc(o.file)}</code>: ${esc(o.why.join(' '))}</li>`).join('')}</ul>` : '<p>none</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}td,th{padding:2px 8px;text-align:right}td:first-child,td:nth-child(2){text-align:left}tr.current{font-weight:bold;background:#eef}</style></head>
<body><h1>${esc(title)}</h1>
<p>${summary.benign} benign photos: ${summary.falseFlags} flagged (${pct(summary.falseFlagRate)}), ${summary.falseRejects} rejected.
${summary.sensitive} sensitive photos: ${summary.caught} flagged (recall ${pct(summary.recall)}).
${summary.either.count} either-way photos: ${summary.either.flagged} flagged.</p>
<h2>Operating points</h2>
<p>Each curve moves one review threshold (solid: classifier evidence, dashed: safety engine); the filled dot is the current policy. Hover a point for its numbers.</p>
${sweepSvg(curves)}
<table><tr><th>category</th><th>source</th><th>review at</th><th>false flags</th><th>false rejects</th><th>recall</th><th>category recall</th></tr>
${rows.join('\n')}</table>
<h2>False rejects</h2>${list(summary.offenders.falseRejects)}
<h2>False flags</h2>${list(summary.offenders.falseFlags)}
<h2>Missed</h2>${list(summary.offenders.missed)}
</body></html>
`;
}
