/**
 * The policy's relevance section: whether an image that does not fit its post is held for a person.
 * Off by default: relevance is reported on every verdict with a post, never enforced, because the score
 * separates on-topic from off-topic photos well but not perfectly (README, "Relevance to a post"), and
 * holding a safe photo is a cost a publisher opts into.
 */
import { z } from 'zod';
import type { Decision, Reason, Verdict } from '../shared/contracts/index.js';
import { SEVERITY } from './severity.js';

export interface RelevancePolicy {
  /** Hold for review when the post's relevance score (0..1) is below this. Absent: never hold. */
  holdBelow?: number;
}

export const relevanceOverrideSchema = z
  .object({ holdBelow: z.number().min(0).max(1).optional() })
  .strict()
  .optional();

/**
 * Absent unless a band is set: the default policy then hashes to the same ruleset as before this section
 * existed (functions/shared/verdict-store/ruleset.ts), so turning nothing on re-moderates nothing.
 */
export function mergeRelevancePolicy(o: z.infer<typeof relevanceOverrideSchema>): RelevancePolicy | undefined {
  return o?.holdBelow === undefined ? undefined : { holdBelow: o.holdBelow };
}

export const OFF_TOPIC_REASON = 'off-topic-review';

/**
 * The verdict with the off-topic hold applied: below the band it is held for review (never approved,
 * a rejection stands) with a reason of source `relevance`, so a publisher can tell "off-topic" from
 * "unsafe" and "unfit". A verdict without labels (a failed step) has no evidence of topic and is left alone.
 */
export function holdOffTopic<V extends Verdict>(verdict: V, policy: RelevancePolicy | undefined): V {
  const { relevance } = verdict;
  if (policy?.holdBelow === undefined || !relevance || !verdict.labels.length || relevance.score >= policy.holdBelow) return verdict;
  const reason: Reason = {
    code: OFF_TOPIC_REASON,
    source: 'relevance',
    message: `Off-topic for the post: relevance ${relevance.score.toFixed(2)}, review below ${policy.holdBelow.toFixed(2)} (${relevance.explanation.replace(/\.$/, '')}).`,
  };
  const decision: Decision = SEVERITY[verdict.decision] >= SEVERITY.review ? verdict.decision : 'review';
  const clean = verdict.reasons.filter((r) => r.code === 'clean');
  return { ...verdict, decision, reasons: [...verdict.reasons.filter((r) => r.code !== 'clean'), reason, ...clean] };
}
