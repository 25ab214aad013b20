/**
 * What the store's operations mean, independent of the database: both adapters compute the next state
 * of a record or review item with these functions and only add atomicity around them.
 */
import { createHash } from 'node:crypto';
import {
  POLICY_DECIDER,
  type PerceptualHashes,
  type ReviewDecision,
  type ReviewItem,
  type ReviewPost,
  type Ruleset,
  type Verdict,
  type VerdictRecord,
} from '../contracts/index.js';
import { isSha256 } from '../contracts/sha256.js';
import { nearMatch } from '../near-duplicate.js';
import { InvalidInput, ReviewConflict } from '../errors.js';
import type { NearDuplicate, NewVerdict, ReviewRequest } from './store.js';

/** Letters, digits, space, . _ @ - ; 1-64 characters. Names land in verdicts shown to publishers. */
const MODERATOR = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;

export function checkSha256(sha256: string): string {
  if (!isSha256(sha256)) throw new InvalidInput(`${JSON.stringify(sha256)} is not a sha256 (64 lowercase hex digits).`);
  return sha256;
}

export function checkModerator(name: string): string {
  const n = name.trim();
  if (!MODERATOR.test(n)) {
    throw new InvalidInput(`Moderator name ${JSON.stringify(name)} is not allowed: use 1-64 letters, digits, spaces, ".", "_", "@" or "-".`);
  }
  if (n.toLowerCase() === POLICY_DECIDER) throw new InvalidInput(`"${POLICY_DECIDER}" is reserved for verdicts nobody reviewed; give your own name with --as.`);
  return n;
}

/** One review per image and ruleset: concurrent submissions of the same photo converge on one item. */
export function reviewIdFor(sha256: string, ruleset: Ruleset): string {
  return `rv-${createHash('sha256').update(`${sha256}\n${ruleset}`).digest('hex').slice(0, 20)}`;
}

export function isModeratorDecision(record: Pick<VerdictRecord, 'decidedBy'>): boolean {
  return record.decidedBy !== POLICY_DECIDER;
}

/**
 * Posts a record or review item lists: the latest ones only. Every post is also its own link (each
 * store's post table or items, read by findVerdicts({ postId })), so a photo used by thousands of posts
 * never grows its record past DynamoDB's 400 KB item limit (811 post ids of 500 characters did, and the
 * lookup's write then failed with a ValidationException).
 */
export const POSTS_KEPT = 20;

function withPost(postIds: readonly string[], postId: string | undefined): string[] {
  return postId && !postIds.includes(postId) ? [...postIds, postId].slice(-POSTS_KEPT) : postIds.slice(-POSTS_KEPT);
}

/** The same post asking again replaces its entry (the latest score stands); other posts keep theirs. */
const samePost = (a: ReviewPost, b: ReviewPost) =>
  a.postId !== undefined || b.postId !== undefined
    ? a.postId === b.postId
    : a.title === b.title && (a.keywords ?? []).join('\n') === (b.keywords ?? []).join('\n');

function withReviewPost(posts: readonly ReviewPost[] | undefined, post: ReviewPost | undefined): { posts?: ReviewPost[] } {
  const next = post ? [...(posts ?? []).filter((p) => !samePost(p, post)), post] : [...(posts ?? [])];
  return next.length ? { posts: next.slice(-POSTS_KEPT) } : {};
}

/** The record after `putVerdict`: a moderator's decision stays; posts accumulate. */
export function nextVerdictRecord(existing: VerdictRecord | undefined, entry: NewVerdict, now: string): VerdictRecord {
  if (existing && isModeratorDecision(existing)) {
    return { ...existing, postIds: withPost(existing.postIds, entry.postId), updatedAt: now };
  }
  const decidedBy = entry.verdict.decidedBy ?? POLICY_DECIDER;
  const decidedAt = entry.verdict.decidedAt ?? entry.at ?? now;
  const verdict: Verdict = { ...entry.verdict, decidedBy, decidedAt };
  const record: VerdictRecord = {
    sha256: checkSha256(entry.sha256),
    ruleset: entry.ruleset,
    decision: verdict.decision,
    decidedBy,
    decidedAt,
    verdict,
    postIds: withPost(existing?.postIds ?? [], entry.postId),
    updatedAt: now,
  };
  if (verdict.note !== undefined) record.note = verdict.note;
  if (verdict.reviewId !== undefined) record.reviewId = verdict.reviewId;
  return record;
}

/** The record after `addPost` (a re-submitted photo): the post joins the kept list; the adapter writes its link. */
export function recordWithPost(existing: VerdictRecord, postId: string, now: string): VerdictRecord {
  return { ...existing, postIds: withPost(existing.postIds, postId), updatedAt: now };
}

/**
 * Which opening of the review a request lands in: a new item opens round 0; an expired one reopens in
 * the next round (the tokens of the round before belong to executions that ended); otherwise the same.
 */
export function reviewRound(existing: ReviewItem | undefined): number {
  const round = existing?.round ?? 0;
  return existing?.status === 'expired' ? round + 1 : round;
}

/**
 * The review item after `requestReview`: a new pending item, or the existing one with this post.
 * `waiting`: how many task tokens the adapter holds for the item's round after storing this request's
 * (tokens are never part of the item; see VerdictStore.taskTokens). A join keeps the larger count, so
 * a writer that counted before a concurrent one cannot lower it.
 */
export function nextReviewItem(existing: ReviewItem | undefined, req: ReviewRequest, waiting: number): ReviewItem {
  if (existing?.status === 'expired') {
    // Nobody decided in time and the photo came back: the same item opens again with a new deadline.
    const { expiredAt: _, ...rest } = existing;
    return {
      ...rest,
      status: 'pending',
      deadline: req.deadline,
      postIds: withPost(existing.postIds, req.postId),
      ...withReviewPost(existing.posts, req.post),
      round: reviewRound(existing),
      waitingExecutions: waiting,
      verdict: { ...req.verdict, decidedBy: POLICY_DECIDER, reviewId: existing.reviewId },
    };
  }
  if (existing) {
    return {
      ...existing,
      postIds: withPost(existing.postIds, req.postId),
      ...withReviewPost(existing.posts, req.post),
      waitingExecutions: Math.max(existing.waitingExecutions, waiting),
    };
  }
  const reviewId = reviewIdFor(checkSha256(req.sha256), req.ruleset);
  const item: ReviewItem = {
    reviewId,
    sha256: req.sha256,
    ruleset: req.ruleset,
    status: 'pending',
    createdAt: req.at,
    deadline: req.deadline,
    postIds: withPost([], req.postId),
    ...withReviewPost(undefined, req.post),
    verdict: { ...req.verdict, decidedBy: POLICY_DECIDER, reviewId },
    round: 0,
    waitingExecutions: waiting,
  };
  if (req.imageUrl !== undefined) item.imageUrl = req.imageUrl;
  return item;
}

/**
 * An item as stored before tokens were kept apart held them in `taskTokens`: the item without them
 * (counted in `waitingExecutions`), and the tokens, which the adapter moves to its token store.
 */
export function withoutLegacyTokens(stored: ReviewItem & { taskTokens?: string[] }): { item: ReviewItem; legacyTokens: string[] } {
  const { taskTokens, ...item } = stored;
  const legacyTokens = Array.isArray(taskTokens) ? taskTokens : [];
  return { item: { ...item, waitingExecutions: item.waitingExecutions ?? legacyTokens.length }, legacyTokens };
}

/** A token's key in a store's token table: fixed length, whatever the token's (up to 2,048 characters). */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** The verdict a moderator's decision produces: the policy's findings stay, the decision and its author change. */
export function moderatorVerdict(item: ReviewItem, d: ReviewDecision): Verdict {
  const by = checkModerator(d.by);
  const what = d.decision === 'approve' ? 'Approved' : 'Rejected';
  const verdict: Verdict = {
    ...item.verdict,
    decision: d.decision,
    decidedBy: by,
    decidedAt: d.at,
    reviewId: item.reviewId,
    reasons: [{ code: `moderator-${d.decision}`, message: `${what} by ${by}${d.note ? `: ${d.note}` : '.'}` }, ...item.verdict.reasons],
  };
  if (d.note !== undefined) verdict.note = d.note;
  else delete verdict.note;
  return verdict;
}

/**
 * What deciding means for an item in its current state: `undefined` when the same decision is already
 * recorded (idempotent), the decided item otherwise; ReviewConflict when it was decided the other way.
 * An expired review can still be decided: its execution ended without a person, but the next submission
 * of the photo gets the decision.
 */
export function decideItem(item: ReviewItem, d: ReviewDecision): ReviewItem | undefined {
  const status = d.decision === 'approve' ? 'approved' : 'rejected';
  if (item.status === status) return undefined;
  if (item.status === 'approved' || item.status === 'rejected') {
    throw new ReviewConflict(
      `Review ${item.reviewId} was already ${item.status} by ${item.decidedBy ?? 'someone'} at ${item.decidedAt ?? '?'}; it cannot also be ${status}. Talk to them, or re-moderate the image (reModerate) to start a new review.`,
      { reviewId: item.reviewId, status: item.status, decidedBy: item.decidedBy },
    );
  }
  const decided: ReviewItem = { ...item, status, decidedBy: checkModerator(d.by), decidedAt: d.at };
  if (d.note !== undefined) decided.note = d.note;
  return decided;
}

/** The record a decision writes (one atomic write with the decided item). */
export function decidedRecord(existing: VerdictRecord | undefined, item: ReviewItem, d: ReviewDecision, now: string): VerdictRecord {
  const verdict = moderatorVerdict(item, d);
  const record: VerdictRecord = {
    sha256: item.sha256,
    ruleset: item.ruleset,
    decision: d.decision,
    decidedBy: verdict.decidedBy!,
    decidedAt: d.at,
    reviewId: item.reviewId,
    verdict,
    postIds: [...new Set([...(existing?.postIds ?? []), ...item.postIds])].slice(-POSTS_KEPT),
    updatedAt: now,
  };
  if (d.note !== undefined) record.note = d.note;
  return record;
}

/** Whether a record already states what a decided review item says (pending and expired items say nothing). */
export function recordMatchesItem(record: VerdictRecord | undefined, item: ReviewItem): boolean {
  if (item.status !== 'approved' && item.status !== 'rejected') return true;
  return record?.reviewId === item.reviewId && record.decision === (item.status === 'approved' ? 'approve' : 'reject') && record.decidedBy === item.decidedBy;
}

/** The reason a near-duplicate's answer leads with. */
export const NEAR_DUPLICATE_REASON = 'near-duplicate';

/**
 * The ruleset blocklist entries are recorded under (`npm run review -- block`): every lookup also asks
 * it, so a block outlives model and policy changes.
 */
export const BLOCKLIST_RULESET = 'blocklist';
export const BLOCKLIST_REASON = 'blocklist';

/**
 * The hashes a record is indexed under for near-duplicate lookups: only a person's own decision (a
 * review decided, a blocklist entry) with the picture's hashes. An answer inherited from a
 * near-duplicate is not indexed, so a chain of slightly different copies cannot drift away from the
 * picture the moderator saw.
 */
export function nearIndexHashes(record: VerdictRecord): PerceptualHashes | undefined {
  if (!isModeratorDecision(record) || record.decision === 'review') return undefined;
  if (record.verdict.reasons[0]?.code === NEAR_DUPLICATE_REASON) return undefined;
  return record.verdict.image?.perceptualHashes;
}

/** A short, fixed-length name of a ruleset for index keys (rulesets run to hundreds of characters). */
export function rulesetKey(ruleset: Ruleset): string {
  return createHash('sha256').update(ruleset).digest('hex').slice(0, 16);
}

/**
 * Candidates from an adapter's band index, verified: the hashes must match (nearMatch) and the current
 * record must still be a person's decision. Rejects first (a picture both approved and rejected as
 * near-duplicates stays rejected), then the closest.
 */
export async function verifyNearDuplicates(
  query: PerceptualHashes,
  rulesets: readonly Ruleset[],
  candidates: Iterable<{ sha256: string; rulesetKey: string; hashes: PerceptualHashes }>,
  read: (sha256: string, ruleset: Ruleset) => Promise<VerdictRecord | undefined>,
): Promise<NearDuplicate[]> {
  const wanted = new Map(rulesets.map((r) => [rulesetKey(r), r]));
  const unique = new Map<string, { sha256: string; ruleset: Ruleset; hashes: PerceptualHashes }>();
  for (const c of candidates) {
    const ruleset = wanted.get(c.rulesetKey);
    if (ruleset !== undefined) unique.set(`${c.sha256} ${c.rulesetKey}`, { sha256: c.sha256, ruleset, hashes: c.hashes });
  }
  const matched = [...unique.values()].flatMap((c) => {
    const match = nearMatch(query, c.hashes);
    return match ? [{ ...c, match }] : [];
  });
  const found = await Promise.all(matched.map(async ({ sha256, ruleset, match }) => ({ record: await read(sha256, ruleset), match })));
  return found
    .filter((f): f is NearDuplicate => f.record !== undefined && nearIndexHashes(f.record) !== undefined)
    .sort((a, b) => Number(b.record.decision === 'reject') - Number(a.record.decision === 'reject') || a.match.distance - b.match.distance);
}
