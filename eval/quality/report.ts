/**
 * The calibration report: per split, the share of each distortion held for a quality reason under a
 * policy, and what the pristine photos get (held for anything but resolution = false flags; held for
 * resolution at 500 px or more = wrong).
 */
import { judgeQuality } from '../../functions/aggregate/quality-issues.js';
import { ABOVE_MEASURES, BELOW_MEASURES, DEFAULT_QUALITY_POLICY, type QualityPolicy } from '../../functions/aggregate/quality-policy.js';
import { QUALITY_GRIDS } from '../quality-score.js';
import type { MeasuredCase, Split } from './measure-set.js';

export interface RateRow {
  split: Split;
  distortion: string;
  kind: string;
  severe: boolean;
  held: number;
  total: number;
  /** Issue kinds that held them, with counts. */
  by: Record<string, number>;
}

export interface CalibrationSummary {
  rows: RateRow[];
  pristine: Record<
    Split,
    { total: number; heldNonResolution: string[]; heldResolution: number; heldResolutionAt500: string[]; byKind: Record<string, number> }
  >;
}

export function summarise(cases: MeasuredCase[], policy: QualityPolicy = DEFAULT_QUALITY_POLICY): CalibrationSummary {
  const rows = new Map<string, RateRow>();
  const pristine: CalibrationSummary['pristine'] = {
    dev: { total: 0, heldNonResolution: [], heldResolution: 0, heldResolutionAt500: [], byKind: {} },
    'held-out': { total: 0, heldNonResolution: [], heldResolution: 0, heldResolutionAt500: [], byKind: {} },
  };
  for (const c of cases) {
    const { issues } = judgeQuality(c.measures, policy);
    const kinds = [...new Set(issues.map((i) => i.kind))];
    if (c.distortion === null) {
      const p = pristine[c.split];
      p.total++;
      for (const k of kinds) p.byKind[k] = (p.byKind[k] ?? 0) + 1;
      if (kinds.some((k) => k !== 'resolution')) p.heldNonResolution.push(`${c.file} (${issues.map((i) => i.message).join(' ')})`);
      if (kinds.includes('resolution')) {
        p.heldResolution++;
        if (c.measures.longSide >= 500) p.heldResolutionAt500.push(c.file);
      }
      continue;
    }
    const key = `${c.split}\t${c.distortion}`;
    const row = rows.get(key) ?? { split: c.split, distortion: c.distortion, kind: c.kind!, severe: c.severe, held: 0, total: 0, by: {} };
    row.total++;
    // A distorted photo that was already held for its size counts only if a pixel reason holds it too,
    // except for the downscaling distortions, whose reason is the size.
    const reasons = c.kind === 'resolution' ? kinds : kinds.filter((k) => k !== 'resolution');
    if (reasons.length) row.held++;
    for (const k of reasons) row.by[k] = (row.by[k] ?? 0) + 1;
    rows.set(key, row);
  }
  return { rows: [...rows.values()], pristine };
}

const pc = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '-');

export function reportCalibration(cases: MeasuredCase[], policy: QualityPolicy = DEFAULT_QUALITY_POLICY): string {
  const s = summarise(cases, policy);
  const lines: string[] = [];
  for (const split of ['dev', 'held-out'] as const) {
    const p = s.pristine[split];
    lines.push(`## ${split}: ${p.total} pristine photos`);
    lines.push(`pristine held for quality other than resolution: ${p.heldNonResolution.length} (${pc(p.heldNonResolution.length, p.total)})`);
    for (const f of p.heldNonResolution) lines.push(`  ${f}`);
    lines.push(`pristine held for resolution: ${p.heldResolution} (${pc(p.heldResolution, p.total)}); of them 500 px or more: ${p.heldResolutionAt500.length}`);
    lines.push('distortion\tsevere\theld\trate\tby kind');
    for (const r of s.rows.filter((r) => r.split === split)) {
      lines.push(`${r.distortion}\t${r.severe ? 'severe' : 'moderate'}\t${r.held}/${r.total}\t${pc(r.held, r.total)}\t${JSON.stringify(r.by)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The DEV sweep the default bands were chosen from: one band moved over its grid at a time, the rest as
 * the policy has them; per point the pristine photos it holds for quality (any reason but resolution)
 * and the share of each severe distortion held.
 */
export function sweepCalibration(cases: MeasuredCase[], policy: QualityPolicy = DEFAULT_QUALITY_POLICY, split: Split = 'dev'): string {
  const own = cases.filter((c) => c.split === split);
  const lines: string[] = [`## ${split} sweep (one band at a time; * = current)`];
  for (const m of [...BELOW_MEASURES, ...ABOVE_MEASURES]) {
    lines.push(`${m}:`);
    for (const threshold of [...new Set([...QUALITY_GRIDS[m], policy.review[m]])].sort((a, b) => a - b)) {
      const s = summarise(own, { ...policy, review: { ...policy.review, [m]: threshold } });
      const p = s.pristine[split];
      const severe = s.rows.filter((r) => r.severe).map((r) => `${r.distortion} ${pc(r.held, r.total)}`);
      lines.push(`  ${threshold === policy.review[m] ? '*' : ' '}${threshold}: pristine ${p.heldNonResolution.length}/${p.total}; ${severe.join('; ')}`);
    }
  }
  return lines.join('\n');
}
