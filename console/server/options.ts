/** `npm run console` flags, validated once (zod); everything after works with ConsoleOptions. */
import type { ReviewTimeoutOutcome } from '../../functions/shared/contracts/index.js';
import { reviewTimeoutFromEnv } from '../../functions/shared/verdict-store/review-config.js';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../../functions/shared/errors.js';
import { checkFlags, parseFlags } from '../../cli/flags.js';

export const CONSOLE_USAGE = `Usage: npm run console -- [options]

A moderator console in the browser: the review queue, verdict history, recorded executions drawn on the
state machine's graph, and the last eval report. Prints a URL with a per-start token, as Jupyter does.

Options:
  --port <n>                 port on 127.0.0.1 (default 8765; 0 picks a free one)
  --host <addr>              address to bind (default 127.0.0.1; anything else exposes the console)
  --data-dir <dir>           recorded executions and the review store (default: $MODERATION_DATA_DIR, else .moderation)
  --staging-dir <dir>        local staged images, for thumbnails (default: $STAGING_DIR, else .staging)
  --eval-report <file>       the eval report to show (default: .eval/report.json, what npm run eval writes)
  --safety-engine <engine>   which local definition to draw when no execution is open: local (default) or rekognition
  --state-machine-arn <arn>  a deployed stack (or $STATE_MACHINE_ARN): executions listed from Step Functions,
                             each linked to the AWS console; needs AWS credentials
  --stack <name>             the same, reading stateMachineArn, stagingBucketName and verdictTableName
                             from \`pulumi stack output\`
  --table <name>             the deployed verdict table (or $VERDICT_TABLE): the review queue and history,
                             decisions resume the waiting executions; without it, the local store
  --staging-bucket <name>    the deployed staging bucket, for thumbnails (default: the stack's output)
  --as <name>                the moderator recorded as deciding (default: your login name)
  -h, --help                 show this help`;

const schema = z.object({
  port: z.coerce.number({ error: '--port must be a number' }).int('--port must be a whole number').min(0).max(65535, '--port must be at most 65535'),
  host: z.string().min(1),
  dataDir: z.string().min(1, 'MODERATION_DATA_DIR must not be empty'),
  stagingDir: z.string().min(1),
  evalReport: z.string().min(1),
  safetyEngine: z.enum(['local', 'rekognition'], { error: '--safety-engine must be local or rekognition' }),
  stateMachineArn: z.string().min(1).optional(),
  stack: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, '--stack must be a Pulumi stack name')
    .optional(),
  stagingBucket: z.string().min(3).optional(),
  moderator: z.string().min(1, '--as needs a name'),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, '--table must be a DynamoDB table name')
    .optional(),
});

/** `reviewTimeoutOutcome`: what the local queue's reviews past their deadline end as (REVIEW_TIMEOUT_OUTCOME; default review). */
export type ConsoleOptions = z.infer<typeof schema> & { reviewTimeoutOutcome?: ReviewTimeoutOutcome };

function loginName(env: NodeJS.ProcessEnv): string {
  try {
    return env.USER || env.LOGNAME || userInfo().username;
  } catch {
    return '';
  }
}

export function parseConsoleArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; options: ConsoleOptions } {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'staging-dir': { type: 'string' },
    'eval-report': { type: 'string' },
    'safety-engine': { type: 'string' },
    'state-machine-arn': { type: 'string' },
    stack: { type: 'string' },
    'staging-bucket': { type: 'string' },
    as: { type: 'string' },
    table: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };
  const options = checkFlags(schema, {
    port: values.port ?? 8765,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? env.MODERATION_DATA_DIR ?? '.moderation',
    stagingDir: values['staging-dir'] ?? (env.STAGING_DIR || '.staging'),
    evalReport: values['eval-report'] ?? '.eval/report.json',
    safetyEngine: values['safety-engine'] ?? 'local',
    stateMachineArn: values['state-machine-arn'] ?? (env.STATE_MACHINE_ARN || undefined),
    stack: values.stack,
    stagingBucket: values['staging-bucket'],
    moderator: values.as ?? loginName(env),
    table: values.table ?? (env.VERDICT_TABLE || undefined),
  });
  if (options.stack && options.stateMachineArn) throw new ConfigError('Give --stack or --state-machine-arn, not both.');
  return { help: false, options: { ...options, reviewTimeoutOutcome: reviewTimeoutFromEnv(env).timeoutOutcome } };
}
