/**
 * Eval's quality figures, apart from the safety ones: photos labelled quality = ok (or unlabelled: an
 * ordinary photo is presumed fine) that the quality bands hold are quality false flags, photos labelled
 * low that they hold are catches; both per issue kind, resolution reported on its own because a blog's
 * minimum size is a choice, not an error. The sweep moves one band at a time over a grid and re-judges
 * every photo from its recorded measures with the very judgeQuality() the workflow uses.
 */
import { judgeQuality } from '../functions/aggregate/quality-issues.js';
import { ABOVE_MEASURES, BELOW_MEASURES, type BandedMeasure, type QualityPolicy } from '../functions/aggregate/quality-policy.js';
import type { QualityMeasures } from '../functions/shared/contracts/index.js';
import type { LabelledImage } from './labels.js';

export interface QualityCase extends LabelledImage {
  measures: QualityMeasures;
}

export interface QualitySummary {
  /** Photos labelled ok or unlabelled. */
  ok: number;
  /** Of them, held for any quality reason but resolution. */
  falseFlags: number;
  falseFlagRate: number;
  /** Of them, held for their size under the policy's minimum. */
  heldForResolution: number;
  low: number;
  caught: number;
  /** Per issue kind: ok photos it held, low photos it held. */
  byKind: Record<string, { falseFlags: number; caught: number }>;
  offenders: { falseFlags: Array<{ file: string; why: string[] }>; resolution: Array<{ file: string; why: string[] }>; missed: string[] };
}

const isLow = (c: LabelledImage) => c.quality === 'low';

export function scoreQuality(cases: readonly QualityCase[], policy: QualityPolicy): QualitySummary {
  const s: QualitySummary = {
    ok: 0,
    falseFlags: 0,
    falseFlagRate: 0,
    heldForResolution: 0,
    low: 0,
    caught: 0,
    byKind: {},
    offenders: { falseFlags: [], resolution: [], missed: [] },
  };
  for (const c of cases) {
    const issues = judgeQuality(c.measures, policy).issues;
    const kinds = new Set(issues.map((i) => i.kind));
    const why = issues.map((i) => i.message);
    for (const k of kinds) {
      const row = (s.byKind[k] ??= { falseFlags: 0, caught: 0 });
      if (isLow(c)) row.caught++;
      else row.falseFlags++;
    }
    if (isLow(c)) {
      s.low++;
      if (kinds.size) s.caught++;
      else s.offenders.missed.push(c.file);
      continue;
    }
    s.ok++;
    if ([...kinds].some((k) => k !== 'resolution')) {
      s.falseFlags++;
      s.offenders.falseFlags.push({ file: c.file, why });
    }
    if (kinds.has('resolution')) {
      s.heldForResolution++;
      s.offenders.resolution.push({ file: c.file, why: issues.filter((i) => i.kind === 'resolution').map((i) => i.message) });
    }
  }
  s.falseFlagRate = s.ok ? s.falseFlags / s.ok : 0;
  return s;
}

/** Each band's grid: from lenient to strict around the default. */
export const QUALITY_GRIDS: Record<BandedMeasure, number[]> = {
  sharpness: [0.5, 0.55, 0.6, 0.62, 0.64, 0.66, 0.7],
  highlights: [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65],
  brightness: [0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2],
  contrast: [0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1],
  tonalRange: [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5],
  jpegQuality: [10, 15, 20, 25, 30, 40, 50, 60],
  shadows: [0.3, 0.4, 0.5, 0.6, 0.7],
  clippedHighlights: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
  noise: [4, 6, 8, 10, 12, 15, 20],
  chromaNoise: [2, 3, 4, 6, 8, 10, 15],
  impulseNoise: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
  blockiness: [1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2, 2.5],
  reducedBlockiness: [1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2],
};

export interface QualitySweepCurve {
  measure: BandedMeasure;
  direction: 'below' | 'above';
  current: number;
  points: Array<{ threshold: number; falseFlags: number; falseFlagRate: number; caught: number; recall: number | null }>;
}

export function sweepQuality(cases: readonly QualityCase[], policy: QualityPolicy): QualitySweepCurve[] {
  return [...BELOW_MEASURES, ...ABOVE_MEASURES].map((measure) => ({
    measure,
    direction: (BELOW_MEASURES as readonly string[]).includes(measure) ? 'below' : 'above',
    current: policy.review[measure],
    points: [...new Set([...QUALITY_GRIDS[measure], policy.review[measure]])]
      .sort((a, b) => a - b)
      .map((threshold) => {
        const s = scoreQuality(cases, { ...policy, review: { ...policy.review, [measure]: threshold } });
        return { threshold, falseFlags: s.falseFlags, falseFlagRate: s.falseFlagRate, caught: s.caught, recall: s.low ? s.caught / s.low : null };
      }),
  }));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatQuality(s: QualitySummary, curves: readonly QualitySweepCurve[]): string {
  const lines = [
    `quality:   ${s.ok} ok photos; held for quality ${s.falseFlags} (${pct(s.falseFlagRate)}), held for their size ${s.heldForResolution}; ${s.low} labelled low, caught ${s.caught}`,
    `  by kind: ${
      Object.entries(s.byKind)
        .map(([k, v]) => `${k} ${v.falseFlags} ok held, ${v.caught} low caught`)
        .join('; ') || '-'
    }`,
  ];
  for (const o of s.offenders.falseFlags) lines.push(`  quality flag ${o.file}: ${o.why.join(' ')}`);
  for (const f of s.offenders.missed) lines.push(`  quality missed ${f}`);
  lines.push('quality bands (one moved at a time; * = current policy):');
  for (const c of curves) {
    lines.push(
      `  ${c.measure} (review ${c.direction} ${c.current}): ${c.points.map((p) => `${p.threshold === c.current ? '*' : ''}${p.threshold} → ${p.falseFlags}${p.recall === null ? '' : `/${pct(p.recall)}`}`).join('  ')}`,
    );
  }
  return lines.join('\n');
}
