/**
 * The deployed eval target: every labelled photo is moderated by the stack's state machine through the
 * publisher's client (client/index.ts), as a publisher would send it: staged where the stack's FetchImage
 * can read it (eval/photo-staging.ts), one execution per photo, with `reModerate` (a fresh verdict, not a
 * stored one) and a post id of its own (so a STANDARD stack's held photo is found in the verdict table:
 * its execution waits for a moderator, the policy's verdict is what is measured).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ModerationClient, type WorkflowType } from '../client/index.js';
import { parseStateMachineArn } from '../cli/stack.js';
import type { ModerationPolicy } from '../functions/aggregate/policy.js';
import type { VerdictStore } from '../functions/shared/verdict-store/store.js';
import { parseRuleset, policyPart } from '../functions/shared/verdict-store/ruleset.js';
import type { PhotoStaging } from './photo-staging.js';
import type { EvalReport } from './report.js';
import type { EvalTarget } from './target.js';
import { decideInputOfVerdict } from './verdict-evidence.js';

export interface StackTargetOptions {
  stateMachineArn: string;
  workflowType: WorkflowType;
  /** The Pulumi stack it came from, when known (named in the report). */
  stack?: string;
  /** The stack's verdict table (verdictTableName): how a STANDARD stack's held photo is answered. */
  verdicts?: VerdictStore;
  /** The stack's ruleset output: names the safety engine and says whether MODERATION_POLICY here is the stack's. */
  ruleset?: string;
  staging: PhotoStaging;
  /** This process's policy (MODERATION_POLICY): compared with the ruleset's. */
  policy: ModerationPolicy;
  /** Per photo: how long to wait for its verdict (default 5 minutes). */
  deadlineMs?: number;
  /** Tests pass a client pointed at a stand-in; default: the region's Step Functions. */
  client?: ModerationClient;
}

export function createStackTarget(opts: StackTargetOptions): EvalTarget {
  const client =
    opts.client ??
    new ModerationClient({
      stateMachineArn: opts.stateMachineArn,
      type: opts.workflowType,
      verdicts: opts.verdicts,
      ...(opts.ruleset ? { ruleset: opts.ruleset } : {}),
    });
  const parsed = opts.ruleset ? parseRuleset(opts.ruleset) : undefined;
  const models: EvalReport['models'] = parsed ? { safety: { name: parsed.safetyEngine } } : {};
  // One run's post ids: unique per run and photo, so a lookup by post finds this run's verdict only.
  const runId = `eval-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const arn = parseStateMachineArn(opts.stateMachineArn);
  return {
    target: {
      kind: 'stack',
      stateMachineArn: opts.stateMachineArn,
      workflowType: opts.workflowType,
      staging: opts.staging.kind,
      ...(opts.stack ? { stack: opts.stack } : {}),
      ...(opts.ruleset ? { ruleset: opts.ruleset } : {}),
      ...(parsed ? { safetyEngine: parsed.safetyEngine } : {}),
      ...(arn ? { region: arn.region } : {}),
    },
    models,
    policyMatches: parsed !== undefined && parsed.policy === policyPart(opts.policy),
    async moderate(img) {
      const imageUrl = await opts.staging.urlOf(img);
      const postId = `${runId}-${createHash('sha256').update(img.path).digest('hex').slice(0, 12)}`;
      const { executionArn: _arn, ...verdict } = await client.moderate(
        { imageUrl, postId, reModerate: true },
        { untilReview: true, deadlineMs: opts.deadlineMs ?? 5 * 60_000 },
      );
      models.classifier ??= verdict.model;
      return { verdict, input: decideInputOfVerdict(verdict, parsed?.safetyEngine), measures: verdict.quality?.measures };
    },
    close: async () => {
      await opts.verdicts?.close();
    },
  };
}
