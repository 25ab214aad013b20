/**
 * RequestReview's core: queue the photo for a person (or join its pending review) and tell moderators
 * about a new one. Pure of AWS: the store, the notifier and the task callbacks are passed in.
 */
import type { ModerationInput, Ruleset, Verdict } from '../shared/contracts/index.js';
import { reviewPostOf, withRelevance } from '../shared/relevance/verdict.js';
import { redactUrls } from '../shared/telemetry/redact.js';
import { reviewIdFor } from '../shared/verdict-store/rules.js';
import type { ReviewDeps } from './deps.js';
import { answer, sha256Of } from './record.js';

export interface ReviewRequestArgs {
  ruleset: Ruleset;
  verdict: Verdict;
  input: ModerationInput;
  timeoutSeconds: number;
  taskToken?: string;
}

/**
 * Queues the photo for a person (or joins its pending review) and tells moderators about a new one.
 * If a moderator already decided it (a race with a second submission), a waiting execution is resumed
 * at once with that decision.
 */
export async function requestReview(deps: ReviewDeps, a: ReviewRequestArgs): Promise<Verdict> {
  const sha256 = sha256Of(a.verdict, 'RequestReview');
  const now = deps.now?.() ?? new Date();
  const existing = await deps.store.getReview(reviewIdFor(sha256, a.ruleset));
  const { item, record } = await deps.store.requestReview({
    sha256,
    ruleset: a.ruleset,
    verdict: withRelevance(a.verdict, undefined),
    // Only the URL's identity is kept: a signed URL's query (its signature) must not reach the store or the email.
    imageUrl: redactUrls(a.input.imageUrl),
    postId: a.input.postId,
    // The moderator sees which post asked and how well the image fits it (the verdict itself keeps no post's score).
    post: reviewPostOf(a.verdict, a.input),
    taskToken: a.taskToken,
    at: now.toISOString(),
    deadline: new Date(now.getTime() + a.timeoutSeconds * 1000).toISOString(),
  });
  if (item.status === 'approved' || item.status === 'rejected') {
    if (a.taskToken && deps.callbacks) await deps.callbacks.sendSuccess(a.taskToken, answer(record, a.input));
  } else if (!existing || existing.status !== 'pending') {
    await deps.notifier?.notify(item);
  }
  return answer(record, a.input);
}
