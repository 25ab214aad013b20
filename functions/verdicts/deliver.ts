/**
 * Resuming a STANDARD execution that waits on a review (`.waitForTaskToken`): SendTaskSuccess with the
 * moderator's verdict. Used by `npm run review` and by the review step itself (a photo decided while a
 * second execution was starting). Step Functions refuses a token that timed out, was used, or never
 * existed: that is StaleReviewToken, named so the caller can say what happened.
 */
import type { ReviewItem, VerdictRecord } from '../shared/contracts/index.js';
import { StaleReviewToken } from '../shared/errors.js';
import type { VerdictStore } from '../shared/verdict-store/store.js';
import type { TaskCallbacks } from './deps.js';

/** Errors Step Functions answers for a token that can no longer resume anything. */
const STALE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function isStaleTokenError(err: unknown): boolean {
  return STALE.has((err as { name?: string })?.name ?? '');
}

export async function sfnTaskCallbacks(region?: string): Promise<TaskCallbacks> {
  const { SFNClient, SendTaskSuccessCommand, SendTaskHeartbeatCommand } = await import('@aws-sdk/client-sfn');
  const sfn = new SFNClient(region ? { region } : {});
  return {
    async sendSuccess(taskToken, output) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    },
    async sendHeartbeat(taskToken) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    },
  };
}

export interface Delivery {
  /** Executions resumed now. */
  resumed: number;
  /** Tokens Step Functions refused (the execution timed out or was stopped). */
  stale: number;
  /** Nothing to send: already delivered, or no execution waits (local, EXPRESS). */
  skipped: boolean;
}

/**
 * Sends a decided review's verdict to every execution waiting on it, once: the item is marked delivered
 * afterwards, so deciding again sends nothing. Stale tokens do not stop the others; if any was stale
 * the result says so and, when none could be resumed at all, StaleReviewToken is thrown (the decision
 * itself is already recorded in the store).
 */
export async function deliverDecision(
  store: VerdictStore,
  callbacks: TaskCallbacks | undefined,
  item: ReviewItem,
  record: VerdictRecord,
  now: string,
): Promise<Delivery> {
  if (item.deliveredAt || !callbacks) return { resumed: 0, stale: 0, skipped: true };
  const tokens = await store.taskTokens(item.reviewId);
  if (tokens.length === 0) return { resumed: 0, stale: 0, skipped: true };
  let resumed = 0;
  let stale = 0;
  for (const token of tokens) {
    try {
      await callbacks.sendSuccess(token, record.verdict);
      resumed++;
    } catch (err) {
      if (!isStaleTokenError(err)) throw err;
      stale++;
    }
  }
  await store.markDelivered(item.reviewId, now);
  if (resumed === 0) {
    throw new StaleReviewToken(
      `Review ${item.reviewId} is recorded as ${record.decision} by ${record.decidedBy}, but Step Functions refused its task token${stale > 1 ? 's' : ''}: the waiting execution already ended (review deadline ${item.deadline} passed, or it was stopped). The next submission of this photo gets the decision from the store.`,
      { reviewId: item.reviewId, stale },
    );
  }
  return { resumed, stale, skipped: false };
}
