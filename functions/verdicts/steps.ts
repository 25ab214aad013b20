/**
 * VerdictStep's core: what the state machine's LookupVerdict, RecordVerdict, RequestReview and
 * ReviewExpired tasks do, on any VerdictStore. Pure of AWS: the store, the notifier and the task
 * callbacks are passed in (DynamoDB + SNS + Step Functions in a Lambda, SQLite and nothing locally).
 */
import {
  POLICY_DECIDER,
  type ModerationInput,
  type ReviewTimeoutOutcome,
  type ReviewItem,
  type Ruleset,
  type StagedImage,
  type StepError,
  type Verdict,
  type VerdictLookup,
  type VerdictRecord,
} from '../shared/contracts/index.js';
import { InvalidInput, ModerationError, VerdictStoreFailed } from '../shared/errors.js';
import { deliverDecision, type TaskCallbacks } from '../shared/verdicts/callbacks.js';
import { BLOCKLIST_RULESET, isModeratorDecision, NEAR_DUPLICATE_REASON, reviewIdFor } from '../shared/verdicts/rules.js';
import { endReview, timeoutVerdict } from './expiry.js';
import { reviewPostOf, withRelevance } from '../shared/relevance/verdict.js';
import { redactUrls } from '../shared/telemetry/redact.js';
import type { VerdictStore } from '../shared/verdicts/store.js';

export interface ReviewNotifier {
  /** Tells moderators a new review is waiting (SNS in AWS). Never carries the task token. */
  notify(item: ReviewItem): Promise<void>;
  /** Tells moderators a review passed its deadline undecided and what the image ended as. */
  expired?(item: ReviewItem, verdict: Verdict): Promise<void>;
}

export interface VerdictStepDeps {
  store: VerdictStore;
  notifier?: ReviewNotifier;
  callbacks?: TaskCallbacks;
  now?: () => Date;
}

/** What the workflow returns for a stored record: the verdict as decided, for this request's post. */
function answer(record: VerdictRecord, input: ModerationInput): Verdict {
  const v: Verdict = { ...record.verdict, decision: record.decision, decidedBy: record.decidedBy, decidedAt: record.decidedAt };
  if (record.reviewId) v.reviewId = record.reviewId;
  if (record.note !== undefined) v.note = record.note;
  if (input.postId !== undefined) v.postId = input.postId;
  else delete v.postId;
  return withRelevance(v, input);
}

function sha256Of(verdict: Verdict, action: string): string {
  const sha = verdict.image?.sha256;
  if (!sha) throw new InvalidInput(`${action} needs the verdict's image.sha256 (the staged image); this verdict has no image.`);
  return sha;
}

/**
 * A store call of a workflow step: anything the store throws that is not one of our named errors becomes
 * VerdictStoreFailed, which the state machine sends to the fail-safe path (review), never on to a fresh
 * policy verdict that would stand in for a decision the store could not show.
 */
async function usingStore<T>(deps: VerdictStepDeps, step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ModerationError) throw err;
    const { name, message } = err as Error;
    throw new VerdictStoreFailed(
      `${step} could not use the verdict store (${deps.store.kind} ${deps.store.location}): ${name}: ${message}. The image goes to review; check the store (throttling, permissions, item size) and re-submit it.`,
      { step, store: deps.store.kind, cause: name },
      { cause: err },
    );
  }
}

/** What LookupVerdict is told about the staged image: its sha256, and its hashes when FetchImage took them. */
export type LookupImage = Pick<StagedImage, 'sha256'> & Partial<StagedImage>;

export async function lookupVerdict(deps: VerdictStepDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup> {
  if (input.reModerate) return { found: false, verdict: null, reason: 're-moderate' };
  return usingStore(deps, 'LookupVerdict', () => lookupStored(deps, ruleset, image, input));
}

/**
 * A person's decision on a near-duplicate of this picture (a decided review or a blocklist entry), as
 * this image's answer: same decision, by the same person, led by a `near-duplicate` reason. It is
 * recorded for this image (never indexed itself, rules.ts nearIndexHashes), so the next exact lookup
 * finds it. A near-duplicate decided by the policy is not inherited: the policy is cheap, a person not.
 */
async function inheritNearDuplicate(deps: VerdictStepDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup | undefined> {
  if (!image.perceptualHashes) return undefined;
  const [best] = await deps.store.findNearDuplicates(image.perceptualHashes, [ruleset, BLOCKLIST_RULESET]);
  if (!best) return undefined;
  const { record, match } = best;
  const what = record.decision === 'reject' ? 'rejected' : 'approved';
  const how = match.windows === 'whole' ? '' : match.windows === 'query-cropped' ? ', this one cropped' : ', that one cropped';
  const { reviewId: _theirs, ...theirs } = record.verdict;
  const verdict: Verdict = {
    ...theirs,
    decision: record.decision,
    decidedBy: record.decidedBy,
    decidedAt: record.decidedAt,
    image: { ...record.verdict.image, ...image } as StagedImage,
    reasons: [
      {
        code: NEAR_DUPLICATE_REASON,
        of: record.sha256,
        distance: match.distance,
        decidedBy: record.decidedBy,
        message: `A near-duplicate of image ${record.sha256.slice(0, 12)}… (${match.distance} of 64 hash bits differ${how}), which ${record.decidedBy} ${what}${record.note ? `: ${record.note}` : '.'}`,
      },
      ...record.verdict.reasons,
    ],
  };
  const at = (deps.now?.() ?? new Date()).toISOString();
  const stored = await deps.store.putVerdict({ sha256: image.sha256, ruleset, verdict, postId: input.postId, at });
  return { found: true, verdict: answer(stored, input), reason: null };
}

async function lookupStored(deps: VerdictStepDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup> {
  const { sha256 } = image;
  const record = await deps.store.getVerdict(sha256, ruleset);
  // Unknown, or only the policy's verdict: a person's decision on a near-duplicate wins.
  if (!record || (!isModeratorDecision(record) && record.decision !== 'review' && !record.reviewId)) {
    const inherited = await inheritNearDuplicate(deps, ruleset, image, input);
    if (inherited) return inherited;
  }
  if (!record) return { found: false, verdict: null, reason: 'not-recorded' };
  if (record.decision === 'review' || (record.reviewId && !isModeratorDecision(record))) {
    // A pending review answers "still in review"; one nobody decided in time (its record holds the
    // timeout outcome) is moderated, and queued, again.
    const item = record.reviewId ? await deps.store.getReview(record.reviewId) : undefined;
    if (!item || item.status === 'expired') return { found: false, verdict: null, reason: 'not-recorded' };
    if (item.status === 'pending' && input.postId && !item.postIds.includes(input.postId)) {
      // Joining the pending review shows the moderator this post too (and records it on the verdict).
      const at = (deps.now?.() ?? new Date()).toISOString();
      const joined = await deps.store.requestReview({
        sha256,
        ruleset,
        verdict: item.verdict,
        postId: input.postId,
        post: reviewPostOf(item.verdict, input),
        at,
        deadline: item.deadline,
      });
      return { found: true, verdict: answer(joined.record, input), reason: null };
    }
  }
  const used = input.postId ? ((await deps.store.addPost(sha256, ruleset, input.postId)) ?? record) : record;
  return { found: true, verdict: answer(used, input), reason: null };
}

/** A policy verdict (approve or reject) becomes the record; a moderator's earlier decision wins if there is one. */
export async function recordVerdict(deps: VerdictStepDeps, ruleset: Ruleset, verdict: Verdict, input: ModerationInput): Promise<Verdict> {
  const sha256 = sha256Of(verdict, 'RecordVerdict');
  const record = await usingStore(deps, 'RecordVerdict', () =>
    deps.store.putVerdict({
      sha256,
      ruleset,
      // Relevance belongs to the post that asked, not to the image: answer() adds it per request.
      verdict: { ...withRelevance(verdict, undefined), decidedBy: POLICY_DECIDER },
      postId: input.postId,
      at: (deps.now?.() ?? new Date()).toISOString(),
    }),
  );
  return answer(record, input);
}

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
export async function requestReview(deps: VerdictStepDeps, a: ReviewRequestArgs): Promise<Verdict> {
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

/**
 * The waiting task gave up (TimeoutSeconds or HeartbeatSeconds): the item is marked expired, the timeout
 * outcome (never approve) is recorded, and the execution ends with it (expiry.ts, shared with the sweep
 * that ends queued reviews).
 */
export async function expireReview(
  deps: VerdictStepDeps,
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

export { deliverDecision };
