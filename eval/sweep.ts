/**
 * The operating-point sweep: for each category and each evidence source (safety engine, classifier),
 * move that one review threshold across a grid, keep everything else as the policy has it, and re-decide
 * every labelled photo with the very decide() the workflow uses. Each point says what false-flag rate and
 * recall that threshold gives, so an operator picks a point instead of guessing.
 */
import type { Decision } from '../functions/shared/contracts/index.js';
import { decide, type DecideInput } from '../functions/aggregate/decide.js';
import { classifierEvidence } from '../functions/aggregate/categories.js';
import type { Band, ModerationPolicy } from '../functions/aggregate/policy.js';
import { categoryOf, type ModerationCategory } from '../functions/aggregate/moderation-taxonomy.js';
import type { LabelledImage } from './labels.js';

export interface SweepCase extends LabelledImage {
  /** What AggregateVerdict decided from (step outputs as they reached it). */
  input: DecideInput;
}

export type SweepSource = 'safety' | 'classifier';

export interface SweepPoint {
  threshold: number;
  falseFlags: number;
  falseFlagRate: number;
  falseRejects: number;
  /** All sensitive photos flagged, 0..1. */
  recall: number;
  /** Sensitive photos of this category flagged, 0..1 (null when none is labelled in it). */
  categoryRecall: number | null;
}

export interface SweepCurve {
  category: ModerationCategory;
  source: SweepSource;
  /** The policy's current review threshold. */
  current: number;
  points: SweepPoint[];
}

/** Safety labels below the engine's minimum confidence (default 50) are never reported, so the grid starts there. */
export const SAFETY_GRID = Array.from({ length: 11 }, (_, i) => 50 + 5 * i);
export const CLASSIFIER_GRID = [5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 90, 100];

function withThreshold(policy: ModerationPolicy, source: SweepSource, category: ModerationCategory, review: number): ModerationPolicy {
  const band = policy[source][category];
  const next: Band = band.reject === undefined ? { ...band, review } : { ...band, review, reject: Math.max(band.reject, review) };
  return { ...policy, [source]: { ...policy[source], [category]: next } };
}

/** Categories with any evidence from this source on the labelled photos, or with labelled sensitive photos. */
function categoriesToSweep(cases: readonly SweepCase[], source: SweepSource): Set<ModerationCategory> {
  const out = new Set<ModerationCategory>();
  for (const c of cases) {
    if (c.expected === 'flag' && c.category) out.add(c.category);
    if (source === 'safety')
      for (const l of c.input.safety ?? []) {
        const k = categoryOf(l);
        if (k) out.add(k);
      }
    else for (const e of classifierEvidence(c.input.classification ?? [])) if (e.confidence >= CLASSIFIER_GRID[0]) out.add(e.category);
  }
  return out;
}

export function sweep(cases: readonly SweepCase[], policy: ModerationPolicy): SweepCurve[] {
  const benign = cases.filter((c) => c.expected === 'approve');
  const sensitive = cases.filter((c) => c.expected === 'flag');
  const curves: SweepCurve[] = [];
  for (const source of ['safety', 'classifier'] as const) {
    const grid = source === 'safety' ? SAFETY_GRID : CLASSIFIER_GRID;
    for (const category of [...categoriesToSweep(cases, source)].sort()) {
      const points = grid.map((threshold): SweepPoint => {
        const p = withThreshold(policy, source, category, threshold);
        const d = (c: SweepCase): Decision => decide(c.input, p).decision;
        const benignDecisions = benign.map(d);
        const ff = benignDecisions.filter((x) => x !== 'approve').length;
        const inCat = sensitive.filter((c) => c.category === category);
        return {
          threshold,
          falseFlags: ff,
          falseFlagRate: benign.length ? ff / benign.length : 0,
          falseRejects: benignDecisions.filter((x) => x === 'reject').length,
          recall: sensitive.length ? sensitive.filter((c) => d(c) !== 'approve').length / sensitive.length : 1,
          categoryRecall: inCat.length ? inCat.filter((c) => d(c) !== 'approve').length / inCat.length : null,
        };
      });
      curves.push({ category, source, current: policy[source][category].review, points });
    }
  }
  return curves;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The sweep as a plain-text table (one row per threshold, the current one marked with *). */
export function formatSweep(curves: readonly SweepCurve[]): string {
  const lines: string[] = [];
  for (const c of curves) {
    lines.push(`${c.category} (${c.source}; now review at ${c.current})`);
    lines.push('  threshold  false flags       false rejects  recall  category recall');
    for (const p of c.points) {
      const mark = p.threshold === c.current ? '*' : ' ';
      lines.push(
        `  ${mark}${String(p.threshold).padStart(8)}  ${`${p.falseFlags} (${pct(p.falseFlagRate)})`.padEnd(16)}  ${String(p.falseRejects).padStart(13)}  ${pct(p.recall).padStart(6)}  ${p.categoryRecall === null ? '-' : pct(p.categoryRecall)}`,
      );
    }
  }
  return lines.join('\n');
}
