/**
 * Reviews that end at their deadline without a person. In a STANDARD stack the waiting task times out
 * and ReviewExpired ends the one item it waited on; a queued review (EXPRESS stack, local runs) has
 * nothing waiting, so a sweep finds the pending items past their deadline and ends each the same way:
 * the item is marked expired (the store's atomic expireReview), the timeout outcome (review or reject,
 * never approve) is recorded as the image's verdict, moderators are told (the handler counts
 * ReviewsExpired from what this returns).
 */
import {
  POLICY_DECIDER,
  REVIEW_EXPIRED_REASON,
  type ExpirySweep,
  type ModerationInput,
  type ReviewItem,
  type ReviewTimeoutOutcome,
  type Ruleset,
  type StepError,
  type Verdict,
} from '../shared/contracts/index.js';
import { reviewIdFor } from '../shared/verdict-store/rules.js';
import type { ReviewDeps } from './deps.js';
import { sha256Of } from './record.js';

/** The verdict a review nobody decided in time ends with: the policy's findings, the configured outcome. */
export function timeoutVerdict(
  item: Pick<ReviewItem, 'reviewId' | 'deadline'>,
  verdict: Verdict,
  outcome: ReviewTimeoutOutcome,
  at: string,
  error?: StepError,
): Verdict {
  const message =
    outcome === 'reject'
      ? `Nobody reviewed this image before its deadline (${item.deadline}); rejected by the timeout rule. A moderator can still decide review ${item.reviewId}.`
      : `Nobody reviewed this image before its deadline (${item.deadline}); it stays in review. A moderator can still decide review ${item.reviewId}.`;
  return {
    ...verdict,
    // Typed as the outcome, checked again here: a config slip must not turn a timeout into an approval.
    decision: outcome === 'reject' ? 'reject' : 'review',
    decidedBy: POLICY_DECIDER,
    decidedAt: at,
    reviewId: item.reviewId,
    reasons: [
      { code: REVIEW_EXPIRED_REASON, ...(error ? { error: error.Error } : {}), message },
      ...verdict.reasons.filter((r) => r.code !== REVIEW_EXPIRED_REASON),
    ],
  };
}

export interface EndedReview {
  /** The item as the store holds it now (expired, or decided by a person who got there first). */
  item: ReviewItem;
  /** The timeout verdict (what a waiting execution ends with). */
  verdict: Verdict;
  /** True only for the call that expired it: the record and the notification happen once. */
  changed: boolean;
}

/**
 * Ends one review at its deadline: ReviewExpired's core (STANDARD) and the sweep's (queued reviews).
 * The item is the linearization point: whoever changes it first (this, or a moderator's decision) wins.
 * A decision after it is still recorded and wins over the timeout verdict (a policy record never
 * replaces a person's).
 */
export async function endReview(
  deps: ReviewDeps,
  a: { reviewId: string; verdict: Verdict; outcome: ReviewTimeoutOutcome; at: string; error?: StepError },
): Promise<EndedReview | undefined> {
  const ended = await deps.store.expireReview(a.reviewId, a.at);
  if (!ended) return undefined;
  const verdict = timeoutVerdict(ended.item, a.verdict, a.outcome, a.at, a.error);
  if (ended.changed) {
    const { postId: _, ...recorded } = verdict;
    await deps.store.putVerdict({ sha256: ended.item.sha256, ruleset: ended.item.ruleset, verdict: recorded, at: a.at });
    await deps.notifier?.expired?.(ended.item, verdict);
  }
  return { ...ended, verdict };
}

/**
 * The waiting task gave up (TimeoutSeconds or HeartbeatSeconds): the item is marked expired, the timeout
 * outcome (never approve) is recorded, and the execution ends with it (endReview,
 * shared with the sweep that ends queued reviews).
 */
export async function expireReview(
  deps: ReviewDeps,
  a: { ruleset: Ruleset; verdict: Verdict; input: ModerationInput; outcome: ReviewTimeoutOutcome; error?: StepError },
): Promise<{ verdict: Verdict; expiredNow: boolean }> {
  const reviewId = reviewIdFor(sha256Of(a.verdict, 'ReviewExpired'), a.ruleset);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const ended = await endReview(deps, { reviewId, verdict: a.verdict, outcome: a.outcome, at, error: a.error });
  // A decision that raced the timeout: the person's decision stands for the store, but this execution
  // already lost its token, so it ends with the timeout outcome like any other.
  const verdict = ended?.verdict ?? timeoutVerdict({ reviewId, deadline: 'unknown' }, a.verdict, a.outcome, at, a.error);
  if (a.input.postId !== undefined) verdict.postId = a.input.postId;
  else delete verdict.postId;
  // expiredNow: this call ended the item (not a retry of ReviewExpired, nor a sweep that got there first).
  return { verdict, expiredNow: ended?.changed ?? false };
}

/** How many items one sweep ends at once (each is a few store round trips). */
const CONCURRENCY = 8;

/**
 * How long past its deadline a review an execution waits on (STANDARD: task tokens) is left to that
 * execution's own ReviewExpired, which fires at the deadline. Ending it first would leave the execution
 * waiting with nobody able to resume it; after this the execution is gone (stopped, or its ReviewExpired
 * failed), and the sweep ends the item so it does not stay pending for ever.
 */
export const WAITING_GRACE_MS = 3_600_000;

/**
 * Ends every review past its deadline (up to `limit` per call): queued ones at once, ones an execution
 * waits on after WAITING_GRACE_MS. Idempotent: a second run finds nothing due, and an item ended by
 * anyone else is skipped.
 */
export async function expireDueReviews(deps: ReviewDeps, o: { outcome: ReviewTimeoutOutcome; limit?: number; now?: Date }): Promise<ExpirySweep> {
  const clock = o.now ?? deps.now?.() ?? new Date();
  const now = clock.toISOString();
  const limit = o.limit ?? 500;
  const listed = await deps.store.listDueReviews(now, limit);
  const due = listed.filter((i) => i.waitingExecutions === 0 || Date.parse(i.deadline) + WAITING_GRACE_MS <= clock.getTime());
  const sweep: ExpirySweep = { now, expired: [], skipped: 0, waiting: listed.length - due.length, more: listed.length >= limit };
  let next = 0;
  const work = async () => {
    for (let i = next++; i < due.length; i = next++) {
      const item = due[i];
      const ended = await endReview(deps, { reviewId: item.reviewId, verdict: item.verdict, outcome: o.outcome, at: now });
      if (ended?.changed)
        sweep.expired.push({ reviewId: item.reviewId, deadline: item.deadline, decision: ended.verdict.decision, postIds: ended.item.postIds });
      else sweep.skipped++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, work));
  sweep.expired.sort((a, b) => a.deadline.localeCompare(b.deadline) || a.reviewId.localeCompare(b.reviewId));
  return sweep;
}
