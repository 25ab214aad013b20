/**
 * The verdict + review store: final verdicts by image (sha256) and ruleset, and the review items that
 * hold images for a person. SQLite locally (`sqlite.ts`), DynamoDB in AWS (`dynamodb.ts`): the same
 * interface, and the same rules (`rules.ts`) decide what each operation does; an adapter only makes
 * them atomic in its own database.
 *
 * Used by the workflow's VerdictStep (functions/verdicts/), `npm run review`, the publisher's client
 * and the console.
 */
import type { PerceptualHashes, ReviewDecision, ReviewItem, ReviewPost, ReviewStatus, Ruleset, Verdict, VerdictRecord } from '../contracts/index.js';
import type { NearMatch } from '../near-duplicate.js';

/** A verdict to record: who decided is in `verdict.decidedBy` (POLICY_DECIDER when absent). */
export interface NewVerdict {
  sha256: string;
  ruleset: Ruleset;
  verdict: Verdict;
  postId?: string;
  /** ISO time; defaults to now. */
  at?: string;
}

export interface ReviewRequest {
  sha256: string;
  ruleset: Ruleset;
  /** The policy's verdict (decision "review"). */
  verdict: Verdict;
  imageUrl?: string;
  postId?: string;
  /** The asking post with the image's relevance to it, when the input named a post. */
  post?: ReviewPost;
  /** The waiting execution's task token (STANDARD); absent when the review is only queued. */
  taskToken?: string;
  /** ISO times. */
  at: string;
  deadline: string;
}

export interface DecideResult {
  item: ReviewItem;
  record: VerdictRecord;
  /** False when the same decision was already recorded (deciding twice is not an error). */
  changed: boolean;
}

export interface ExpireResult {
  item: ReviewItem;
  /** False when the item was no longer pending (decided, or expired by someone else). */
  changed: boolean;
}

export type VerdictQuery = { sha256: string } | { postId: string };

/** A moderator-decided record whose picture is a near-duplicate of the one looked up. */
export interface NearDuplicate {
  record: VerdictRecord;
  match: NearMatch;
}

export interface VerdictStore {
  /** `sqlite` or `dynamodb`, for messages. */
  readonly kind: string;
  /** Where it lives (file path or table name), for messages. */
  readonly location: string;

  /** The record of this image under this ruleset, if any. */
  getVerdict(sha256: string, ruleset: Ruleset): Promise<VerdictRecord | undefined>;
  /** Verdict history: every record of an image (any ruleset), or every record a post used; newest first. */
  findVerdicts(query: VerdictQuery): Promise<VerdictRecord[]>;
  /**
   * Records a verdict and the post it is used for. A moderator's decision is never replaced by a policy
   * verdict (the stored one is returned instead), so a late execution cannot undo a person's decision.
   */
  putVerdict(entry: NewVerdict): Promise<VerdictRecord>;
  /**
   * Moderator-decided records (decisions, blocklist entries) under these rulesets whose picture is a
   * near-duplicate of `hashes`: rejects first, then closest first. Reads the band index (one key per
   * band value; near-duplicate.ts), never every record. Records are indexed when a person decides.
   */
  findNearDuplicates(hashes: PerceptualHashes, rulesets: readonly Ruleset[]): Promise<NearDuplicate[]>;
  /** Adds a post to an existing record (a re-submitted photo); returns the record, or undefined. */
  addPost(sha256: string, ruleset: Ruleset, postId: string, at?: string): Promise<VerdictRecord | undefined>;

  /**
   * Creates the review item for this image and ruleset (id derived from both), or joins the pending one
   * (its post is added; its token is stored apart and counted in `waitingExecutions`), and records the
   * pending verdict, in one atomic write (SQLite) or in an order a crash cannot turn into a lost token
   * (DynamoDB: the token first).
   */
  requestReview(request: ReviewRequest): Promise<{ item: ReviewItem; record: VerdictRecord }>;
  getReview(reviewId: string): Promise<ReviewItem | undefined>;
  /**
   * The task tokens of the executions waiting on the review's current opening (in no particular order;
   * empty when none waits, or for an unknown id). Secrets: kept apart from the review item (a table of
   * their own in SQLite, TOKEN# items in DynamoDB, which the publisher's policy is denied), and read only
   * by the review lifecycle that resumes executions (functions/verdicts/).
   */
  taskTokens(reviewId: string): Promise<string[]>;
  /** Oldest first. */
  listReviews(query?: { status?: ReviewStatus; limit?: number }): Promise<ReviewItem[]>;
  /**
   * Decides a review and records the moderator's verdict in one atomic write. The same decision again
   * is a no-op (`changed: false`); the other decision is ReviewConflict; an unknown id is ReviewNotFound.
   */
  decideReview(reviewId: string, decision: ReviewDecision): Promise<DecideResult>;
  /** Marks that every waiting execution got the decision (so a repeated decision sends no token again). */
  markDelivered(reviewId: string, at: string): Promise<void>;
  /**
   * Pending reviews whose deadline is at or before `now` (ISO), earliest deadline first: what the expiry
   * sweep ends. Reads only pending items (an index on both stores), never the whole history.
   */
  listDueReviews(now: string, limit: number): Promise<ReviewItem[]>;
  /**
   * A pending review nobody decided in time: status `expired`, atomically (a decision racing it either
   * lands first, and the item is returned decided with `changed: false`, or finds it expired and is
   * still recorded). `changed` is true only for the call that expired it; undefined for an unknown id.
   */
  expireReview(reviewId: string, at: string): Promise<ExpireResult | undefined>;

  close(): Promise<void>;
}
