/**
 * The console's review actions, bound to its store: the queue and the decision are the review
 * lifecycle's own (functions/verdicts/decide.ts listQueue and decideReview, what `npm run review` uses),
 * so a click and the CLI record, resume waiting executions, and refuse exactly alike; the console only
 * adds who is deciding (the person who started it), the verdict history search, and expiring due local
 * reviews as its own write (the page POSTs it before it lists).
 */
import type { ModeratorDecision, ReviewStatus, ReviewTimeoutOutcome, VerdictRecord } from '../../functions/shared/contracts/index.js';
import type { VerdictQuery } from '../../functions/shared/verdict-store/index.js';
import { decideReview, listQueue, type DecideOutcome, type PublicReviewItem } from '../../functions/verdicts/decide.js';
import type { ReviewDeps } from '../../functions/verdicts/deps.js';
import { expireDueReviews } from '../../functions/verdicts/expiry.js';

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
export function storeReviews(deps: ReviewDeps & { expireOutcome?: ReviewTimeoutOutcome }): ReviewActions {
  return {
    list: (status, limit) => listQueue(deps, { status, limit }),
    expireDue: async () => (deps.expireOutcome ? (await expireDueReviews({ store: deps.store }, { outcome: deps.expireOutcome })).expired.length : 0),
    decide: ({ reviewId, ...d }) => decideReview(deps, reviewId, d),
    history: (query) => deps.store.findVerdicts(query),
  };
}
