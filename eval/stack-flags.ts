/**
 * `npm run eval -- --stack` / `--state-machine-arn`: which deployed stack, read from its Pulumi outputs or
 * given flag by flag, checked once here; then the stack target (eval/stack-target.ts) with its verdict
 * table and the way photos reach it (eval/photo-staging.ts).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ModerationClient } from '../client/index.js';
import { notAStateMachineArn, parseStateMachineArn, pulumiStackOutputs, type StackOutputs } from '../cli/stack.js';
import type { ModerationPolicy } from '../functions/aggregate/policy.js';
import { ConfigError } from '../functions/shared/errors.js';
import { openVerdictStore } from '../functions/shared/verdict-store/index.js';
import type { VerdictStore } from '../functions/shared/verdict-store/store.js';
import { baseUrlStaging, parseBaseUrl, type PhotoStaging } from './photo-staging.js';
import { createStackTarget } from './stack-target.js';
import type { EvalTarget } from './target.js';

/** Executions in flight against a stack by default: well under its reserved concurrency (20) and API throttles. */
export const STACK_CONCURRENCY = 4;

/** The flags as given (strings), before the stack's outputs fill the gaps. */
export interface StackFlags {
  stack: boolean;
  stackName?: string;
  stateMachineArn?: string;
  workflowType?: string;
  table?: string;
  ruleset?: string;
  apiUrl?: string;
  baseUrl?: string;
}

export interface EvalStackBackends {
  stackOutputs: StackOutputs;
  openStore: (table: string, region: string) => Promise<VerdictStore>;
  /** How photos are uploaded through the stack's POST /uploads (eval/upload-staging.ts). */
  uploads?: (apiUrl: string, region: string) => PhotoStaging;
  /** Default: the region's Step Functions (the SDK's credential chain). */
  sfnClient?: (region: string) => SFNClient;
}

export const defaultStackBackends: EvalStackBackends = {
  stackOutputs: (stack) => pulumiStackOutputs(stack, 'pass --state-machine-arn, --workflow-type, --table, --ruleset and --api-url'),
  openStore: (table, region) => openVerdictStore({ kind: 'dynamodb', table }, region),
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

const resolvedSchema = z.object({
  stateMachineArn: z.string({ error: 'no state machine: give --stack (a deployed stack) or --state-machine-arn' }).refine((a) => parseStateMachineArn(a), {
    error: (i) => notAStateMachineArn(String(i.input)),
  }),
  workflowType: z.enum(['STANDARD', 'EXPRESS'], { error: '--workflow-type must be STANDARD or EXPRESS' }),
  table: z.string().min(3).optional(),
  ruleset: z.string().min(1).optional(),
  apiUrl: z.url({ protocol: /^https?$/, error: '--api-url must be the stack\u2019s apiUrl output (https://...)' }).optional(),
  baseUrl: z.string().optional(),
});

export async function openStackTarget(
  flags: StackFlags,
  ctx: { labelsPath: string; policy: ModerationPolicy; env: NodeJS.ProcessEnv },
  backends: EvalStackBackends = defaultStackBackends,
): Promise<EvalTarget> {
  const out = flags.stack ? await backends.stackOutputs(flags.stackName) : {};
  const parsed = resolvedSchema.safeParse({
    stateMachineArn: flags.stateMachineArn ?? text(out.stateMachineArn),
    workflowType: flags.workflowType ?? text(out.workflowType) ?? 'STANDARD',
    table: flags.table ?? text(out.verdictTableName),
    ruleset: flags.ruleset ?? text(out.ruleset),
    apiUrl: flags.apiUrl ?? text(out.apiUrl),
    baseUrl: flags.baseUrl,
  });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  const region = parseStateMachineArn(o.stateMachineArn)!.region;
  // A STANDARD stack's held photo waits for a moderator: the policy's verdict is read from the verdict table.
  if (o.workflowType === 'STANDARD' && !o.table)
    throw new ConfigError(
      "A STANDARD stack's held photos wait for a moderator: eval reads the policy's verdict from the verdict table. Give --table (the stack's verdictTableName output) or --stack.",
    );
  let staging: PhotoStaging;
  if (o.baseUrl) staging = baseUrlStaging(parseBaseUrl(o.baseUrl), ctx.labelsPath);
  else if (!o.apiUrl)
    throw new ConfigError(
      "The photos are local and the stack's FetchImage cannot read them: the stack has no HTTP API to upload them through (httpApi: false, or no --api-url). Serve the labels file's directory over https and give --base-url.",
    );
  else if (!backends.uploads) throw new ConfigError("Uploading the photos through the stack's POST /uploads is not built yet: give --base-url.");
  else staging = backends.uploads(o.apiUrl, region);
  const verdicts = o.table ? await backends.openStore(o.table, region) : undefined;
  const sfn = backends.sfnClient?.(region);
  return createStackTarget({
    ...(sfn
      ? {
          client: new ModerationClient({
            stateMachineArn: o.stateMachineArn,
            type: o.workflowType,
            client: sfn,
            verdicts,
            ...(o.ruleset ? { ruleset: o.ruleset } : {}),
          }),
        }
      : {}),
    stateMachineArn: o.stateMachineArn,
    workflowType: o.workflowType,
    ...(flags.stack ? { stack: flags.stackName ?? '(selected)' } : {}),
    verdicts,
    ruleset: o.ruleset,
    staging,
    policy: ctx.policy,
  });
}
