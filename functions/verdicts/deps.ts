/**
 * What every step of a review's lifecycle works on (request, expiry, decide, deliver): the verdict store,
 * and, where they exist, the moderators' notifier and Step Functions' task callbacks. One type for the
 * Lambda (DynamoDB + SNS + Step Functions), the tools (the table and callbacks, no notifier) and local
 * runs (SQLite, nothing waits).
 */
import type { ReviewItem, Verdict } from '../shared/contracts/index.js';
import type { VerdictStore } from '../shared/verdict-store/store.js';

export interface ReviewNotifier {
  /** Tells moderators a new review is waiting (SNS in AWS). Never carries the task token. */
  notify(item: ReviewItem): Promise<void>;
  /** Tells moderators a review passed its deadline undecided and what the image ended as. */
  expired?(item: ReviewItem, verdict: Verdict): Promise<void>;
}

export interface TaskCallbacks {
  sendSuccess(taskToken: string, output: unknown): Promise<void>;
  /** SendTaskHeartbeat: a moderator opened the item, so the waiting task's HeartbeatSeconds starts again. */
  sendHeartbeat?(taskToken: string): Promise<void>;
}

export interface ReviewDeps {
  store: VerdictStore;
  /** Tells moderators about new and expired reviews (SNS in the Lambda); absent for the tools and locally. */
  notifier?: ReviewNotifier;
  /** Step Functions' task callbacks against a deployed stack; absent locally (nothing waits). */
  callbacks?: TaskCallbacks;
  now?: () => Date;
}
