/**
 * What the console does with reviews: list the queue, decide an item, search verdict history. A
 * decision goes through workflows/review.ts decideReview, the function `npm run review` uses, so a click
 * and the CLI record, resume waiting executions, and refuse exactly alike; the console only adds who is
 * deciding (the person who started it).
 */
import type { ModeratorDecision, ReviewStatus, ReviewTimeoutOutcome, VerdictRecord } from '../../functions/shared/contracts/index.js';
import { expireDueReviews } from '../../functions/verdicts/expiry.js';
import type { VerdictQuery, VerdictStore } from '../../functions/shared/verdicts/index.js';
import { decideReview, publicItem, type DecideOutcome, type PublicReviewItem, type ReviewDeps } from '../../workflows/review.js';

export interface DecideRequest {
  reviewId: string;
  decision: ModeratorDecision;
  by: string;
  note?: string;
}

export interface ReviewActions {
  list(status: ReviewStatus, limit: number): Promise<PublicReviewItem[]>;
  /** Ends local reviews past their deadline (a write, so a POST the page sends before it lists); how many ended. */
  expireDue(): Promise<number>;
  decide(request: DecideRequest): Promise<DecideOutcome>;
  history(query: VerdictQuery): Promise<VerdictRecord[]>;
}

/**
 * `expireOutcome`: the queue is local (nothing else ends its reviews), so expireDue ends the ones past
 * their deadline with this outcome; one indexed query when none is due. Absent for a deployed table,
 * which its stack sweeps (expireDue then ends nothing). Listing never writes.
 */
export function storeReviews(deps: ReviewDeps & { store: VerdictStore; expireOutcome?: ReviewTimeoutOutcome }): ReviewActions {
  return {
    list: async (status, limit) => (await deps.store.listReviews({ status, limit })).map(publicItem),
    expireDue: async () => (deps.expireOutcome ? (await expireDueReviews({ store: deps.store }, { outcome: deps.expireOutcome })).expired.length : 0),
    decide: ({ reviewId, ...d }) => decideReview(deps, reviewId, d),
    history: (query) => deps.store.findVerdicts(query),
  };
}
