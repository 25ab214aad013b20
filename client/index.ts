/**
 * The publisher's client: start a moderation on the deployed state machine and get its verdict.
 *
 * The execution name is derived from postId + image URL, so a retried request (a network blip, a
 * publisher restart) finds the execution it already started instead of starting a second one that
 * could overwrite a good result. STANDARD workflows are polled with DescribeExecution (backoff, jitter,
 * a deadline); EXPRESS workflows answer in one StartSyncExecution call.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  POLICY_DECIDER,
  REVIEW_EXPIRED_REASON,
  type ModerationInput,
  type PostInput,
  type ReviewItem,
  type Ruleset,
  type Verdict,
  type VerdictRecord,
} from '../functions/shared/contracts/index.js';
import { DEFAULT_REVIEW_SWEEP_MINUTES } from '../functions/shared/verdict-store/review-config.js';
import type { VerdictStore } from '../functions/shared/verdict-store/store.js';
import { ExecutionConflict, InvalidInput, ModerationExecutionFailed, REJECTING_ERRORS, VerdictNotFound, VerdictTimeout } from '../functions/shared/errors.js';
import { relevanceIndex } from '../functions/shared/relevance/index-data.js';
import { rankCandidates, type RankedImage } from '../functions/shared/relevance/rank.js';
import { executionName, MAX_EXECUTION_ATTEMPTS, parseModerationInput, parsePost } from '../functions/shared/moderation-input.js';
import { notAStateMachineArn, parseStateMachineArn, type StateMachineArn } from '../cli/stack.js';

export type WorkflowType = 'STANDARD' | 'EXPRESS';

export interface ModerationClientOptions {
  stateMachineArn: string;
  /** The stack's workflowType output (the publisher's policy does not allow DescribeStateMachine). */
  type?: WorkflowType;
  client?: SFNClient;
  /**
   * The stack's verdict table (DynamoVerdictStore on the verdictTableName output): getVerdict reads it,
   * and waitForVerdict uses it to keep waiting while a person reviews the image.
   */
  verdicts?: VerdictStore;
  /** The stack's ruleset output: getVerdict answers only verdicts computed with it (default: the newest of any). */
  ruleset?: Ruleset;
}

export interface StartedModeration {
  executionArn: string;
  name: string;
  /** True when this request had already started it (a retry): nothing new was started. */
  existing: boolean;
}

export interface WaitOptions {
  /**
   * Give up after this long (default 5 minutes). While the image waits for a person (and the client has
   * the verdict store) the wait extends to the review's own deadline.
   */
  deadlineMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long past a review's deadline to wait for whatever ends it (the task's timeout, the sweep). */
  graceMs?: number;
  /**
   * Answer the policy's verdict as soon as a review holds the post (decision review, with its reviewId)
   * instead of waiting for the person: what `npm run eval` measures on a STANDARD stack, whose held
   * executions wait for a moderator. Needs the verdict store (and a postId in the request).
   */
  untilReview?: boolean;
}

/** Past a review's deadline, the wait for its expiry to be recorded: the default sweep interval and a margin. */
const DEFAULT_SWEEP_GRACE_MS = (DEFAULT_REVIEW_SWEEP_MINUTES + 5) * 60_000;

/** The execution name for a request (defined beside the execution input's schema; the local engine uses it too). */
export { executionName };

/** Reasons that say the verdict came from a failure, not from the image: a retry may do better. */
const FAILURE_CODES = new Set(['step-failed', 'safety-missing', 'classification-missing']);

/**
 * True when a verdict is the fail-safe answer to a failure that another attempt may not hit (a timeout,
 * a throttled or denied service). A bad image (CorruptImage, FetchBlocked, ...) would fail the same way.
 */
export function endedOnFailure(verdict: Verdict | null): boolean {
  if (!verdict) return true;
  return verdict.reasons.some((r) => FAILURE_CODES.has(r.code) && !(REJECTING_ERRORS as readonly string[]).includes(String(r.error ?? '')));
}

/** A stored record as the workflow would answer it (decidedBy, reviewId, the moderator's note). */
export function verdictOfRecord(r: VerdictRecord): Verdict {
  return {
    ...r.verdict,
    decision: r.decision,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    ...(r.reviewId ? { reviewId: r.reviewId } : {}),
    ...(r.note !== undefined ? { note: r.note } : {}),
  };
}

/** The newest record under `ruleset` (any ruleset when none is given), as the workflow would answer it. */
export async function recordedVerdict(store: VerdictStore, query: { sha256: string } | { postId: string }, ruleset?: Ruleset): Promise<Verdict | undefined> {
  const r = (await store.findVerdicts(query)).find((x) => !ruleset || x.ruleset === ruleset);
  return r ? verdictOfRecord(r) : undefined;
}

export class ModerationClient {
  readonly stateMachineArn: string;
  readonly type: WorkflowType;
  private readonly sfn: SFNClient;
  private readonly arn: StateMachineArn;
  private readonly verdicts?: VerdictStore;
  private readonly ruleset?: Ruleset;

  constructor(opts: ModerationClientOptions) {
    const arn = parseStateMachineArn(opts.stateMachineArn);
    if (!arn) throw new InvalidInput(notAStateMachineArn(opts.stateMachineArn));
    this.arn = arn;
    this.stateMachineArn = opts.stateMachineArn;
    this.type = opts.type ?? 'STANDARD';
    this.sfn = opts.client ?? new SFNClient({ region: this.arn.region });
    this.verdicts = opts.verdicts;
    this.ruleset = opts.ruleset;
  }

  private store(): VerdictStore {
    if (!this.verdicts)
      throw new InvalidInput("This client has no verdict store: pass verdicts (a DynamoVerdictStore on the stack's verdictTableName output).");
    return this.verdicts;
  }

  /**
   * The recorded verdict for an image (its sha256) or a post, without starting anything: the newest
   * record under this client's ruleset. A pending review answers decision "review" with its reviewId.
   */
  async getVerdict(query: { sha256: string } | { postId: string }): Promise<Verdict | undefined> {
    return recordedVerdict(this.store(), query, this.ruleset);
  }

  /**
   * Ranks already-moderated images for a post, best first: approved before held for review before
   * rejected, then by relevance to the post, then by quality where the verdict has a quality score;
   * each with its verdict and why it ranks there. A candidate is an image's sha256 (its stored verdict is
   * read: no model runs, no execution starts) or a verdict the caller already holds. An image never
   * moderated is VerdictNotFound: moderate it first.
   */
  async rankImages(post: PostInput, candidates: ReadonlyArray<{ sha256: string } | { id: string; verdict: Verdict }>): Promise<RankedImage<Verdict>[]> {
    const parsedPost = parsePost(post);
    const resolved = await Promise.all(
      candidates.map(async (c) => {
        if ('verdict' in c) return { id: c.id, verdict: c.verdict };
        const verdict = await this.getVerdict({ sha256: c.sha256 });
        if (!verdict)
          throw new VerdictNotFound(
            `No verdict is recorded for image ${c.sha256}${this.ruleset ? ` under ruleset ${this.ruleset}` : ''}: moderate it first (client.moderate).`,
          );
        return { id: c.sha256, verdict };
      }),
    );
    return rankCandidates(parsedPost, resolved, relevanceIndex());
  }

  /** The review holding this post's image (pending, or ended by its deadline), if one does. */
  private async reviewFor(postId: string | undefined): Promise<ReviewItem | undefined> {
    if (!this.verdicts || !postId) return undefined;
    for (const r of await this.verdicts.findVerdicts({ postId })) {
      if ((this.ruleset && r.ruleset !== this.ruleset) || !r.reviewId || r.decidedBy !== POLICY_DECIDER) continue;
      const item = await this.verdicts.getReview(r.reviewId);
      if (item?.status === 'pending' || item?.status === 'expired') return item;
    }
    return undefined;
  }

  /**
   * How a review ended, once it has: a moderator's verdict, or the timeout outcome the expiry (the
   * waiting task's ReviewExpired, or the sweep of queued reviews) recorded: review or reject, never
   * approve. Undefined while it is pending.
   */
  private async reviewOutcome(reviewId: string): Promise<Verdict | undefined> {
    const store = this.store();
    const item = await store.getReview(reviewId);
    if (!item) throw new InvalidInput(`No review ${reviewId} in the verdict store.`);
    if (item.status === 'pending') return undefined;
    const record = await store.getVerdict(item.sha256, item.ruleset);
    if (!record || record.reviewId !== reviewId) return undefined;
    if (item.status === 'expired' && record.decidedBy === POLICY_DECIDER && record.verdict.reasons[0]?.code !== REVIEW_EXPIRED_REASON) return undefined;
    return verdictOfRecord(record);
  }

  /**
   * Waits for a queued review (EXPRESS workflows and local runs end NeedsReview with a reviewId) to be
   * decided or to end at its deadline: returns the moderator's verdict or the timeout outcome (reason
   * review-expired; review or reject, never approve). A review still pending `graceMs` after its deadline
   * (nothing swept it) is VerdictTimeout.
   */
  async waitForReview(reviewId: string, opts: Omit<WaitOptions, 'deadlineMs'> = {}): Promise<Verdict> {
    const store = this.store();
    let delay = opts.initialDelayMs ?? 1_000;
    const maxDelay = opts.maxDelayMs ?? 60_000;
    const grace = opts.graceMs ?? DEFAULT_SWEEP_GRACE_MS;
    for (;;) {
      const ended = await this.reviewOutcome(reviewId);
      if (ended) return ended;
      const item = (await store.getReview(reviewId))!;
      const left = Date.parse(item.deadline) + grace - Date.now();
      if (left <= 0) {
        throw new VerdictTimeout(
          `Review ${reviewId} is still pending ${Math.round(grace / 1000)} s after its deadline (${item.deadline}): nothing ended it. Run the expiry sweep (npm run review -- expire locally; deployed stacks run it on a schedule). The image stays unapproved.`,
          { reviewId },
        );
      }
      await sleep(Math.min(left, Math.random() * delay + delay / 2));
      delay = Math.min(maxDelay, delay * 2);
    }
  }

  executionArnFor(name: string): string {
    return `arn:aws:states:${this.arn.region}:${this.arn.account}:execution:${this.arn.name}:${name}`;
  }

  /**
   * Starts (or finds) the execution for this request. STANDARD only: EXPRESS answers through moderate().
   * A true duplicate (a retry while the first start runs, or after it ended with a real verdict) finds
   * that execution and starts nothing. A re-moderation (`reModerate`), or a retry after the execution
   * failed or ended on a failure (a fail-safe verdict such as a FetchTimeout's review), starts the next
   * attempt: the name carries an attempt number, since Step Functions keeps a name taken for 90 days.
   */
  async startModeration(request: ModerationInput): Promise<StartedModeration> {
    const input = parseModerationInput(request);
    if (this.type === 'EXPRESS') throw new InvalidInput('EXPRESS workflows keep no execution to poll: call moderate(), which uses StartSyncExecution.');
    for (let attempt = 1; attempt <= MAX_EXECUTION_ATTEMPTS; attempt++) {
      const name = executionName(input, attempt);
      try {
        const res = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
        return { executionArn: res.executionArn!, name, existing: false };
      } catch (err) {
        if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists') throw err;
      }
      // This attempt's name is taken: by this request (a retry) unless the stored input names another image or post.
      const executionArn = this.executionArnFor(name);
      const existing = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const stored = JSON.parse(existing.input ?? '{}') as Partial<ModerationInput>;
      if (stored.imageUrl !== input.imageUrl || (stored.postId ?? undefined) !== (input.postId ?? undefined)) {
        throw new ExecutionConflict(
          `Execution ${name} exists for a different request (image or post differs). This should not happen: report it with the execution ARN.`,
          { executionArn },
        );
      }
      if (existing.status === 'RUNNING' || existing.status === 'PENDING_REDRIVE') return { executionArn, name, existing: true };
      if (existing.status === 'SUCCEEDED' && !input.reModerate && !endedOnFailure(JSON.parse(existing.output ?? 'null') as Verdict | null)) {
        return { executionArn, name, existing: true };
      }
    }
    throw new ExecutionConflict(
      `This image and post were already moderated ${MAX_EXECUTION_ATTEMPTS} times; no further attempt is started. Use another postId, or look at the executions in the Step Functions console.`,
      { executionArn: this.executionArnFor(executionName(input, MAX_EXECUTION_ATTEMPTS)) },
    );
  }

  /** Polls DescribeExecution until the verdict is there, with backoff and jitter, up to a deadline. */
  async waitForVerdict(executionArn: string, opts: WaitOptions = {}): Promise<Verdict> {
    let deadline = Date.now() + (opts.deadlineMs ?? 5 * 60_000);
    let delay = opts.initialDelayMs ?? 500;
    let maxDelay = opts.maxDelayMs ?? 5_000;
    let reviewChecked = false;
    let review: ReviewItem | undefined;
    for (;;) {
      const res = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const verdict = this.verdictOf(res, executionArn);
      if (verdict) return verdict;
      if (opts.untilReview && this.verdicts) {
        const input = JSON.parse(res.input ?? '{}') as Partial<ModerationInput>;
        const held = await this.reviewFor(input.postId);
        if (held) return { ...held.verdict, reviewId: held.reviewId };
      }
      if (review) {
        // The review ended (a decision, or its deadline): that is the answer, whether or not the
        // execution has caught up with it yet.
        const ended = await this.reviewOutcome(review.reviewId);
        if (ended) return ended;
      }
      if (!reviewChecked && this.verdicts && deadline - Date.now() <= delay * 2) {
        // About to give up on a RUNNING execution: if a person holds the image, wait for them instead
        // (the execution resumes with their decision, or ends at the review's deadline, never approved).
        reviewChecked = true;
        const input = JSON.parse(res.input ?? '{}') as Partial<ModerationInput>;
        review = await this.reviewFor(input.postId);
        if (review) {
          const ended = await this.reviewOutcome(review.reviewId);
          if (ended) return ended;
          deadline = Math.max(deadline, Date.parse(review.deadline) + (opts.graceMs ?? DEFAULT_SWEEP_GRACE_MS));
          maxDelay = opts.maxDelayMs ?? Math.max(maxDelay, 60_000);
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new VerdictTimeout(
          `No verdict for ${executionArn} yet (status ${res.status}) after the deadline. It may still finish: call waitForVerdict again or look at it in the Step Functions console.`,
          { executionArn },
        );
      }
      // Full jitter keeps many publishers polling at once from moving in lockstep.
      await sleep(Math.min(left, Math.random() * delay + delay / 2));
      delay = Math.min(maxDelay, delay * 2);
    }
  }

  private verdictOf(res: Pick<DescribeExecutionCommandOutput, 'status' | 'output' | 'error' | 'cause'>, executionArn: string): Verdict | undefined {
    switch (res.status) {
      case 'SUCCEEDED':
        return JSON.parse(res.output ?? 'null') as Verdict;
      case 'RUNNING':
      case 'PENDING_REDRIVE':
        return undefined;
      default:
        throw new ModerationExecutionFailed(
          `Execution ${executionArn} ended ${res.status}: ${res.error ?? 'no error'}${res.cause ? ` (${res.cause.slice(0, 500)})` : ''}. Treat the image as not approved.`,
          {
            executionArn,
            status: res.status,
            error: res.error,
          },
        );
    }
  }

  /** One call, one verdict: StartSyncExecution on EXPRESS, start + wait on STANDARD. */
  async moderate(request: ModerationInput, opts: WaitOptions = {}): Promise<Verdict & { executionArn: string }> {
    if (this.type === 'EXPRESS') {
      const input = parseModerationInput(request);
      const res = await this.sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(input), input: JSON.stringify(input) }),
      );
      const verdict = this.verdictOf(
        { status: res.status === 'SUCCEEDED' ? 'SUCCEEDED' : res.status, output: res.output, error: res.error, cause: res.cause },
        res.executionArn ?? '',
      );
      return { ...verdict!, executionArn: res.executionArn ?? '' };
    }
    const started = await this.startModeration(request);
    return { ...(await this.waitForVerdict(started.executionArn, opts)), executionArn: started.executionArn };
  }
}
