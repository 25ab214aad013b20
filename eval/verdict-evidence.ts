/**
 * What AggregateVerdict decided from, rebuilt from the verdict alone: a deployed execution answers only
 * its verdict (the steps' results stay in its history, which the publisher's policy does not read), and
 * the sweep re-decides from this. buildVerdict writes `labels` = the classification and `moderation` =
 * the safety labels followed by the classifier's derived moderation labels, so for one checked view
 * decided on its evidence the input comes back exactly. Anything else (several views, a failed step, a
 * person's or a near-duplicate's decision) is undefined: the sweep leaves that photo out.
 */
import { POLICY_DECIDER, type Verdict } from '../functions/shared/contracts/index.js';
import { imagenetModerationLabels } from '../functions/aggregate/categories.js';
import type { DecideInput } from '../functions/aggregate/decide.js';

/** The reason codes buildVerdict gives from evidence (decide, quality, relevance); any other means it did not decide alone. */
const EVIDENCE_CODES = new Set(['clean', 'category-review', 'category-reject', 'quality-review', 'quality-reject', 'off-topic-review']);

export function decideInputOfVerdict(verdict: Verdict, safetyEngine?: string): DecideInput | undefined {
  if ((verdict.image?.checks?.length ?? 1) > 1) return undefined;
  if (verdict.decidedBy !== undefined && verdict.decidedBy !== POLICY_DECIDER) return undefined;
  if (!verdict.reasons.every((r) => EVIDENCE_CODES.has(r.code) && r.error === undefined)) return undefined;
  const derived = imagenetModerationLabels(verdict.labels);
  const safety = verdict.moderation.slice(0, verdict.moderation.length - derived.length);
  return { classification: verdict.labels, safety, ...(safetyEngine ? { safetyEngine } : {}) };
}
