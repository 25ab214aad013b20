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
import type { ModerationInput, ReviewItem, Ruleset, Verdict, VerdictRecord } from '../functions/shared/contracts.js';
import type { VerdictStore } from '../functions/shared/verdicts/store.js';
import { ExecutionConflict, InvalidInput, ModerationExecutionFailed, VerdictTimeout } from '../functions/shared/errors.js';
import { executionName, parseModerationInput } from '../functions/shared/moderation-input.js';

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
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;

/** The execution name for a request (defined beside the execution input's schema; the local engine uses it too). */
export { executionName };

export class ModerationClient {
  readonly stateMachineArn: string;
  readonly type: WorkflowType;
  private readonly sfn: SFNClient;
  private readonly arn: { region: string; account: string; name: string };
  private readonly verdicts?: VerdictStore;
  private readonly ruleset?: Ruleset;

  constructor(opts: ModerationClientOptions) {
    const m = STATE_MACHINE_ARN.exec(opts.stateMachineArn);
    if (!m)
      throw new InvalidInput(
        `${opts.stateMachineArn} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>). Use the stack's stateMachineArn output.`,
      );
    this.arn = { region: m[1], account: m[2], name: m[3] };
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

  /** A stored record as the workflow would answer it (decidedBy, reviewId, the moderator's note). */
  private static asVerdict(r: VerdictRecord): Verdict {
    return {
      ...r.verdict,
      decision: r.decision,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
      ...(r.reviewId ? { reviewId: r.reviewId } : {}),
      ...(r.note !== undefined ? { note: r.note } : {}),
    };
  }

  /**
   * The recorded verdict for an image (its sha256) or a post, without starting anything: the newest
   * record under this client's ruleset. A pending review answers decision "review" with its reviewId.
   */
  async getVerdict(query: { sha256: string } | { postId: string }): Promise<Verdict | undefined> {
    const records = await this.store().findVerdicts(query);
    const r = records.find((x) => !this.ruleset || x.ruleset === this.ruleset);
    return r ? ModerationClient.asVerdict(r) : undefined;
  }

  /** The pending review holding this post's image, if one does (to extend a wait to its deadline). */
  private async pendingReviewFor(postId: string | undefined): Promise<ReviewItem | undefined> {
    if (!this.verdicts || !postId) return undefined;
    for (const r of await this.verdicts.findVerdicts({ postId })) {
      if ((this.ruleset && r.ruleset !== this.ruleset) || r.decision !== 'review' || !r.reviewId) continue;
      const item = await this.verdicts.getReview(r.reviewId);
      if (item?.status === 'pending') return item;
    }
    return undefined;
  }

  /**
   * Waits for a queued review (EXPRESS workflows and local runs end NeedsReview with a reviewId) to be
   * decided, up to its deadline: returns the moderator's verdict, or VerdictTimeout.
   */
  async waitForReview(reviewId: string, opts: Omit<WaitOptions, 'deadlineMs'> = {}): Promise<Verdict> {
    const store = this.store();
    let delay = opts.initialDelayMs ?? 1_000;
    const maxDelay = opts.maxDelayMs ?? 60_000;
    for (;;) {
      const item = await store.getReview(reviewId);
      if (!item) throw new InvalidInput(`No review ${reviewId} in the verdict store.`);
      if (item.status === 'approved' || item.status === 'rejected') {
        const record = await store.getVerdict(item.sha256, item.ruleset);
        if (record) return ModerationClient.asVerdict(record);
      }
      const left = Date.parse(item.deadline) - Date.now();
      if (item.status === 'expired' || left <= 0) {
        throw new VerdictTimeout(`Review ${reviewId} was not decided before its deadline (${item.deadline}); the image stays unapproved.`, { reviewId });
      }
      await sleep(Math.min(left, Math.random() * delay + delay / 2));
      delay = Math.min(maxDelay, delay * 2);
    }
  }

  executionArnFor(name: string): string {
    return `arn:aws:states:${this.arn.region}:${this.arn.account}:execution:${this.arn.name}:${name}`;
  }

  /** Starts (or finds) the execution for this request. STANDARD only: EXPRESS answers through moderate(). */
  async startModeration(request: ModerationInput): Promise<StartedModeration> {
    const input = parseModerationInput(request);
    if (this.type === 'EXPRESS') throw new InvalidInput('EXPRESS workflows keep no execution to poll: call moderate(), which uses StartSyncExecution.');
    const name = executionName(input);
    try {
      const res = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return { executionArn: res.executionArn!, name, existing: false };
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists') throw err;
      // A closed execution with this name (or a running one with other input): the retry of a request
      // we already started, unless the stored input names another image or post.
      const executionArn = this.executionArnFor(name);
      const existing = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const stored = JSON.parse(existing.input ?? '{}') as Partial<ModerationInput>;
      if (stored.imageUrl !== input.imageUrl || (stored.postId ?? undefined) !== (input.postId ?? undefined)) {
        throw new ExecutionConflict(
          `Execution ${name} exists for a different request (image or post differs). This should not happen: report it with the execution ARN.`,
          { executionArn },
        );
      }
      return { executionArn, name, existing: true };
    }
  }

  /** Polls DescribeExecution until the verdict is there, with backoff and jitter, up to a deadline. */
  async waitForVerdict(executionArn: string, opts: WaitOptions = {}): Promise<Verdict> {
    let deadline = Date.now() + (opts.deadlineMs ?? 5 * 60_000);
    let delay = opts.initialDelayMs ?? 500;
    let maxDelay = opts.maxDelayMs ?? 5_000;
    let reviewChecked = false;
    for (;;) {
      const res = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const verdict = this.verdictOf(res, executionArn);
      if (verdict) return verdict;
      if (!reviewChecked && this.verdicts && deadline - Date.now() <= delay * 2) {
        // About to give up on a RUNNING execution: if a person holds the image, wait for them instead
        // (the execution resumes with their decision, or ends at the review's deadline, never approved).
        reviewChecked = true;
        const input = JSON.parse(res.input ?? '{}') as Partial<ModerationInput>;
        const item = await this.pendingReviewFor(input.postId);
        if (item) {
          deadline = Math.max(deadline, Date.parse(item.deadline) + 60_000);
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
