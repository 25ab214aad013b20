/**
 * What the console does with reviews: list the queue, decide an item, search verdict history. A
 * decision goes through `decide`, the function `npm run review` uses, so a click and the CLI record,
 * deliver and refuse exactly alike; the console only adds who is deciding (the person who started it).
 */
import type { ModeratorDecision, ReviewItem, ReviewStatus, VerdictRecord } from '../functions/shared/contracts.js';
import type { VerdictQuery, VerdictStore } from '../functions/shared/verdicts/index.js';

export interface DecideRequest {
  reviewId: string;
  decision: ModeratorDecision;
  by: string;
  note?: string;
}

export interface ReviewActions {
  list(status: ReviewStatus, limit: number): Promise<ReviewItem[]>;
  decide(request: DecideRequest): Promise<{ item: ReviewItem; record: VerdictRecord; changed: boolean }>;
  history(query: VerdictQuery): Promise<VerdictRecord[]>;
}

export type DecideFn = (store: VerdictStore, request: DecideRequest) => Promise<{ item: ReviewItem; record: VerdictRecord; changed: boolean }>;

export function storeReviews(store: VerdictStore, decide: DecideFn): ReviewActions {
  return {
    list: (status, limit) => store.listReviews({ status, limit }),
    decide: (request) => decide(store, request),
    history: (query) => store.findVerdicts(query),
  };
}

/** Task tokens resume executions: they stay on the server. */
export function publicItem(item: ReviewItem): Omit<ReviewItem, 'taskTokens'> & { waiting: number } {
  const { taskTokens, ...rest } = item;
  return { ...rest, waiting: taskTokens.length };
}
