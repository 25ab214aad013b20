/**
 * The moderators' side of a review, in one place for every front end (`npm run review`, the console):
 * the queue, the heartbeat, and the decision (recorded with its verdict in the store, then delivered to
 * the executions waiting on it, STANDARD, once). What is shown never includes task tokens.
 */
import type { ModeratorDecision, ReviewItem, ReviewStatus, ReviewTimeoutOutcome, VerdictRecord } from '../shared/contracts/index.js';
import { ReviewNotFound } from '../shared/errors.js';
import type { ReviewDeps } from './deps.js';
import { deliverDecision, isStaleTokenError, type Delivery } from './deliver.js';
import { expireDueReviews } from './expiry.js';

export interface DecideOutcome {
  item: PublicReviewItem;
  record: VerdictRecord;
  /** False when the same decision was already recorded. */
  changed: boolean;
  /** What reached the waiting executions; `expired`: the execution had already ended with the timeout outcome. */
  delivery: Delivery & { expired: boolean };
}

/**
 * A review item as people and pages see it. The task tokens are never part of an item (the store keeps
 * them apart); once decided or expired, nothing waits on it any more.
 */
export type PublicReviewItem = ReviewItem;

export function publicItem(item: ReviewItem): PublicReviewItem {
  return { ...item, waitingExecutions: item.status === 'pending' ? item.waitingExecutions : 0 };
}

/**
 * The moderators' queue (`npm run review -- list`, the console). `expireOutcome`: the store is one
 * nothing else sweeps (local), so the reviews past their deadline end first with this outcome and nobody
 * sees a pending item past its deadline; one indexed query when none is due. Absent for a deployed
 * table, which its stack sweeps, and for the console, whose listing never writes (its page POSTs the
 * expiry first).
 */
export async function listQueue(
  deps: ReviewDeps,
  q: { status?: ReviewStatus; limit?: number; expireOutcome?: ReviewTimeoutOutcome },
): Promise<PublicReviewItem[]> {
  if (q.expireOutcome) await expireDueReviews(deps, { outcome: q.expireOutcome });
  const items = await deps.store.listReviews({ ...(q.status ? { status: q.status } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });
  return items.map(publicItem);
}

/**
 * A moderator looked at a pending item: tell every execution waiting on it (SendTaskHeartbeat), so a
 * review someone is working on does not end at HeartbeatSeconds (TimeoutSeconds still bounds it).
 * Returns how many executions acknowledged; tokens Step Functions refuses are skipped.
 */
export async function heartbeatReview(deps: ReviewDeps, item: ReviewItem): Promise<number> {
  if (item.status !== 'pending' || !deps.callbacks?.sendHeartbeat) return 0;
  let alive = 0;
  for (const token of await deps.store.taskTokens(item.reviewId)) {
    try {
      await deps.callbacks.sendHeartbeat(token);
      alive++;
    } catch (err) {
      if (!isStaleTokenError(err)) throw err;
    }
  }
  return alive;
}

/**
 * Approve or reject a review. Idempotent: the same decision again changes nothing and resumes nothing
 * twice; the other decision is ReviewConflict; an unknown id is ReviewNotFound; Step Functions refusing
 * every token (the execution already ended) is StaleReviewToken, after the decision is recorded.
 */
export async function decideReview(deps: ReviewDeps, reviewId: string, d: { decision: ModeratorDecision; by: string; note?: string }): Promise<DecideOutcome> {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const before = await deps.store.getReview(reviewId);
  if (!before) throw new ReviewNotFound(`No review ${reviewId} in ${deps.store.location}. List the open ones with: npm run review -- list`, { reviewId });
  const note = d.note?.trim() ? d.note.trim() : undefined;
  const { item, record, changed } = await deps.store.decideReview(reviewId, { decision: d.decision, by: d.by, ...(note ? { note } : {}), at: now() });
  // An expired review's executions ended already: its tokens would only be refused. Only the call whose
  // decision changed the store sends the tokens: a second identical approval racing the first would
  // otherwise send them again and be told, wrongly, that the execution had ended (a token is single-use).
  const expired = before.status === 'expired';
  const delivery = expired || !changed ? { resumed: 0, stale: 0, skipped: true } : await deliverDecision(deps.store, deps.callbacks, item, record, now());
  return { item: publicItem((await deps.store.getReview(reviewId)) ?? item), record, changed, delivery: { ...delivery, expired } };
}
