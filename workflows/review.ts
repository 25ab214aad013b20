/**
 * Deciding a review, in one function for every front end (`npm run review`, the console): record the
 * decision with its verdict in the store, then resume the executions waiting on it (STANDARD) once.
 * Also the moderator's view of an item: what is shown never includes task tokens.
 */
import type { ModeratorDecision, ReviewItem, VerdictRecord } from '../functions/shared/contracts/index.js';
import { ReviewNotFound } from '../functions/shared/errors.js';
import { deliverDecision, isStaleTokenError, type Delivery, type TaskCallbacks } from '../functions/shared/verdicts/callbacks.js';
import type { VerdictStore } from '../functions/shared/verdicts/store.js';

export interface ReviewDeps {
  store: VerdictStore;
  /** Step Functions' SendTaskSuccess against a deployed stack; absent locally (nothing waits). */
  callbacks?: TaskCallbacks;
  now?: () => Date;
}

export interface DecideOutcome {
  item: PublicReviewItem;
  record: VerdictRecord;
  /** False when the same decision was already recorded. */
  changed: boolean;
  /** What reached the waiting executions; `expired`: the execution had already ended with the timeout outcome. */
  delivery: Delivery & { expired: boolean };
}

/** A review item as people and pages see it: the task tokens are secrets and stay in the store. */
export type PublicReviewItem = Omit<ReviewItem, 'taskTokens'> & { waitingExecutions: number };

export function publicItem(item: ReviewItem): PublicReviewItem {
  const { taskTokens, ...rest } = item;
  return { ...rest, waitingExecutions: item.status === 'pending' ? taskTokens.length : 0 };
}

/**
 * A moderator looked at a pending item: tell every execution waiting on it (SendTaskHeartbeat), so a
 * review someone is working on does not end at HeartbeatSeconds (TimeoutSeconds still bounds it).
 * Returns how many executions acknowledged; tokens Step Functions refuses are skipped.
 */
export async function heartbeatReview(deps: ReviewDeps, item: ReviewItem): Promise<number> {
  if (item.status !== 'pending' || !deps.callbacks?.sendHeartbeat) return 0;
  let alive = 0;
  for (const token of item.taskTokens) {
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
