/**
 * Eval's pure core: labelled photos and the verdicts the workflow gave them → the counts an operator
 * needs (false flags and false rejects among benign photos, recall among sensitive ones), per category
 * and per decision source, with the offending files named.
 */
import type { Decision, Reason } from '../functions/shared/contracts/index.js';

/** Who decided: the safety engine (local or Rekognition), the classifier's ImageNet evidence, or a step's failure or missing result. */
export type ReasonSource = 'safety' | 'classifier' | 'step';
const sourceOf = (r: Reason): ReasonSource => (r.source === 'classifier' ? 'classifier' : r.source ? 'safety' : 'step');
import type { LabelledImage } from './labels.js';

export interface EvalCase extends LabelledImage {
  decision: Decision;
  reasons: Reason[];
}

export interface Offender {
  file: string;
  decision: Decision;
  /** The reasons that were not "clean", as one line each. */
  why: string[];
}

export interface CategoryCounts {
  /** Labelled sensitive in this category. */
  sensitive: number;
  /** Of those, flagged (review or reject) for any reason. */
  caught: number;
  /** Of those, flagged with a reason in this very category. */
  caughtInCategory: number;
  /** Benign photos flagged with a reason in this category. */
  falseFlags: number;
  falseRejects: number;
}

export interface SourceCounts {
  /** Benign photos this source flagged (a photo flagged by both sources counts for each). */
  falseFlags: number;
  falseRejects: number;
  /** Sensitive photos this source flagged. */
  caught: number;
}

export interface EvalSummary {
  images: number;
  benign: number;
  falseFlags: number;
  /** falseFlags / benign, 0..1. */
  falseFlagRate: number;
  falseRejects: number;
  sensitive: number;
  caught: number;
  /** caught / sensitive, 0..1 (1 when nothing is sensitive). */
  recall: number;
  either: { count: number; flagged: number; rejected: number };
  byCategory: Record<string, CategoryCounts>;
  bySource: Record<ReasonSource, SourceCounts>;
  offenders: { falseRejects: Offender[]; falseFlags: Offender[]; missed: Offender[] };
}

const flagged = (d: Decision) => d !== 'approve';
const deciding = (c: EvalCase) => c.reasons.filter((r) => r.code !== 'clean');
const offender = (c: EvalCase): Offender => ({ file: c.file, decision: c.decision, why: deciding(c).map((r) => r.message) });

export function score(cases: readonly EvalCase[]): EvalSummary {
  const benign = cases.filter((c) => c.expected === 'approve');
  const sensitive = cases.filter((c) => c.expected === 'flag');
  const either = cases.filter((c) => c.expected === 'either');
  const falseFlagged = benign.filter((c) => flagged(c.decision));
  const falseRejected = benign.filter((c) => c.decision === 'reject');
  const caught = sensitive.filter((c) => flagged(c.decision));

  const byCategory: Record<string, CategoryCounts> = {};
  const cat = (name: string) => (byCategory[name] ??= { sensitive: 0, caught: 0, caughtInCategory: 0, falseFlags: 0, falseRejects: 0 });
  for (const c of sensitive) {
    const k = cat(c.category!);
    k.sensitive++;
    if (flagged(c.decision)) k.caught++;
    if (deciding(c).some((r) => r.category === c.category)) k.caughtInCategory++;
  }
  for (const c of falseFlagged) {
    for (const name of new Set(deciding(c).map((r) => r.category ?? r.error ?? r.code))) {
      const k = cat(name);
      k.falseFlags++;
      if (deciding(c).some((r) => (r.category ?? r.error ?? r.code) === name && r.code.endsWith('reject'))) k.falseRejects++;
    }
  }

  const bySource: Record<ReasonSource, SourceCounts> = {
    safety: { falseFlags: 0, falseRejects: 0, caught: 0 },
    classifier: { falseFlags: 0, falseRejects: 0, caught: 0 },
    step: { falseFlags: 0, falseRejects: 0, caught: 0 },
  };
  const sourcesOf = (c: EvalCase) => new Set(deciding(c).map(sourceOf));
  for (const c of falseFlagged) {
    for (const s of sourcesOf(c)) {
      bySource[s].falseFlags++;
      if (deciding(c).some((r) => sourceOf(r) === s && (r.code === 'category-reject' || r.code === 'step-failed') && c.decision === 'reject'))
        bySource[s].falseRejects++;
    }
  }
  for (const c of caught) for (const s of sourcesOf(c)) bySource[s].caught++;

  return {
    images: cases.length,
    benign: benign.length,
    falseFlags: falseFlagged.length,
    falseFlagRate: benign.length ? falseFlagged.length / benign.length : 0,
    falseRejects: falseRejected.length,
    sensitive: sensitive.length,
    caught: caught.length,
    recall: sensitive.length ? caught.length / sensitive.length : 1,
    either: { count: either.length, flagged: either.filter((c) => flagged(c.decision)).length, rejected: either.filter((c) => c.decision === 'reject').length },
    byCategory,
    bySource,
    offenders: {
      falseRejects: falseRejected.map(offender),
      falseFlags: falseFlagged.map(offender),
      missed: sensitive.filter((c) => !flagged(c.decision)).map(offender),
    },
  };
}
