/**
 * What the console does with reviews: list the queue, decide an item, search verdict history. A
 * decision goes through workflows/review.ts decideReview, the function `npm run review` uses, so a click
 * and the CLI record, resume waiting executions, and refuse exactly alike; the console only adds who is
 * deciding (the person who started it).
 */
import type { ModeratorDecision, ReviewStatus, VerdictRecord } from '../functions/shared/contracts.js';
import type { VerdictQuery, VerdictStore } from '../functions/shared/verdicts/index.js';
import { decideReview, publicItem, type DecideOutcome, type PublicReviewItem, type ReviewDeps } from '../workflows/review.js';

export interface DecideRequest {
  reviewId: string;
  decision: ModeratorDecision;
  by: string;
  note?: string;
}

export interface ReviewActions {
  list(status: ReviewStatus, limit: number): Promise<PublicReviewItem[]>;
  decide(request: DecideRequest): Promise<DecideOutcome>;
  history(query: VerdictQuery): Promise<VerdictRecord[]>;
}

export function storeReviews(deps: ReviewDeps & { store: VerdictStore }): ReviewActions {
  return {
    list: async (status, limit) => (await deps.store.listReviews({ status, limit })).map(publicItem),
    decide: ({ reviewId, ...d }) => decideReview(deps, reviewId, d),
    history: (query) => deps.store.findVerdicts(query),
  };
}
