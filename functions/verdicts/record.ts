/**
 * LookupVerdict and RecordVerdict's core: the verdict a request gets from the store (a recorded one, a
 * pending review it joins, a person's decision on a near-duplicate) and the policy verdict recorded for
 * the next request. Pure of AWS: the store is passed in (DynamoDB in the Lambda, SQLite locally).
 */
import {
  POLICY_DECIDER,
  type ModerationInput,
  type Ruleset,
  type StagedImage,
  type Verdict,
  type VerdictLookup,
  type VerdictRecord,
} from '../shared/contracts/index.js';
import { InvalidInput, ModerationError, VerdictStoreFailed } from '../shared/errors.js';
import { reviewPostOf, withRelevance } from '../shared/relevance/verdict.js';
import { BLOCKLIST_RULESET, isModeratorDecision, NEAR_DUPLICATE_REASON } from '../shared/verdict-store/rules.js';
import type { ReviewDeps } from './deps.js';

/** What the workflow returns for a stored record: the verdict as decided, for this request's post. */
export function answer(record: VerdictRecord, input: ModerationInput): Verdict {
  const v: Verdict = { ...record.verdict, decision: record.decision, decidedBy: record.decidedBy, decidedAt: record.decidedAt };
  if (record.reviewId) v.reviewId = record.reviewId;
  if (record.note !== undefined) v.note = record.note;
  if (input.postId !== undefined) v.postId = input.postId;
  else delete v.postId;
  return withRelevance(v, input);
}

export function sha256Of(verdict: Verdict, action: string): string {
  const sha = verdict.image?.sha256;
  if (!sha) throw new InvalidInput(`${action} needs the verdict's image.sha256 (the staged image); this verdict has no image.`);
  return sha;
}

/**
 * A store call of a workflow step: anything the store throws that is not one of our named errors becomes
 * VerdictStoreFailed, which the state machine sends to the fail-safe path (review), never on to a fresh
 * policy verdict that would stand in for a decision the store could not show.
 */
async function usingStore<T>(deps: ReviewDeps, step: string, call: () => Promise<T>): Promise<T> {
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

export async function lookupVerdict(deps: ReviewDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup> {
  if (input.reModerate) return { found: false, verdict: null, reason: 're-moderate' };
  return usingStore(deps, 'LookupVerdict', () => lookupStored(deps, ruleset, image, input));
}

/**
 * A person's decision on a near-duplicate of this picture (a decided review or a blocklist entry), as
 * this image's answer: same decision, by the same person, led by a `near-duplicate` reason. It is
 * recorded for this image (never indexed itself, rules.ts nearIndexHashes), so the next exact lookup
 * finds it. A near-duplicate decided by the policy is not inherited: the policy is cheap, a person not.
 */
async function inheritNearDuplicate(deps: ReviewDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup | undefined> {
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

async function lookupStored(deps: ReviewDeps, ruleset: Ruleset, image: LookupImage, input: ModerationInput): Promise<VerdictLookup> {
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
export async function recordVerdict(deps: ReviewDeps, ruleset: Ruleset, verdict: Verdict, input: ModerationInput): Promise<Verdict> {
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
