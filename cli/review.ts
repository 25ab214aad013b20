/**
 * `npm run review -- list | show <id> | approve <id> | reject <id> | expire | block <file or sha256> [--note ...] [--as <name>]`
 *
 * Locally it works on the SQLite store under MODERATION_DATA_DIR (what `npm start` records); with
 * `--stack` (the Pulumi stack's outputs) or `--table` it works on the deployed DynamoDB table and resumes
 * the waiting executions with SendTaskSuccess.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { checkFlags, parseFlags } from './flags.js';
import { REVIEW_STATUSES, type ExpirySweep, type ReviewTimeoutOutcome } from '../functions/shared/contracts/index.js';
import { isSha256 } from '../functions/shared/contracts/sha256.js';
import { ConfigError, describeError } from '../functions/shared/errors.js';
import { blockImage } from '../functions/shared/verdict-store/blocklist.js';
import { DEFAULT_MODERATION_DATA_DIR } from '../functions/shared/verdict-store/index.js';
import { reviewTimeoutFromEnv } from '../functions/shared/verdict-store/review-config.js';
import { checkModerator } from '../functions/shared/verdict-store/rules.js';
import { defaultStoreBackends, type StoreBackends } from '../functions/verdicts/backends.js';
import { expireDueReviews } from '../functions/verdicts/expiry.js';
import type { VerdictStore } from '../functions/shared/verdict-store/store.js';
import { decideReview, heartbeatReview, listQueue, publicItem, type PublicReviewItem } from '../functions/verdicts/decide.js';
import { type ReviewDeps } from '../functions/verdicts/deps.js';
import { parseStateMachineArn, pulumiStackOutputs, STATE_MACHINE_ARN, type StackOutputs } from './stack.js';
import { printable } from '../functions/shared/printable.js';

export const REVIEW_USAGE = `Usage: npm run review -- <command> [options]

Commands:
  list                       the review queue (pending items, oldest first)
  show <reviewId>            one item: why it was held, labels, image, posts, deadline (against a
                             stack it also sends a heartbeat to the waiting executions)
  approve <reviewId>         approve it (the verdict store records it; a waiting execution resumes)
  reject <reviewId>          reject it
  expire                     end the pending reviews past their deadline with the timeout outcome
                             (REVIEW_TIMEOUT_OUTCOME: review or reject, never approve); list and the
                             console do this first, so nobody sees a pending item past its deadline
  block <file or sha256>     reject this picture and every near-duplicate of it (re-encoded, resized,
                             cropped a little, brightened, converted) under every ruleset, by your name

Options:
  --as <name>                the moderator's name in the verdict (default: your login name)
  --note <text>              a note kept with the decision
  --status <status>          list: pending (default), approved, rejected, expired or all
  --json                     machine-readable output (list prints a JSON array)
  --now <iso time>           expire: the sweep's clock (default: now), e.g. 2026-12-03T09:00:00Z
  --data-dir <dir>           the local store (default: $MODERATION_DATA_DIR, else ${DEFAULT_MODERATION_DATA_DIR})
  --stack                    the deployed stack: reads verdictTableName and stateMachineArn from
                             \`pulumi stack output --json\` (needs the Pulumi CLI and AWS credentials)
  --stack-name <name>        which Pulumi stack (default: the selected one)
  --table <name>             the deployed verdict table directly (or $VERDICT_TABLE), with --region
  --state-machine-arn <arn>  the deployed state machine (its region is used for the table too)
  --region <region>          AWS region (default: from the state machine ARN, else the SDK's)
  -h, --help                 show this help

Exit codes: 0 done, 1 the decision could not be applied (conflict, unknown id, stale token, store
error), 2 usage error.`;

const optionsSchema = z.object({
  command: z.enum(['list', 'show', 'approve', 'reject', 'expire', 'block'], { error: 'the command must be list, show, approve, reject, expire or block' }),
  target: z.string().min(1).optional(),
  reviewId: z
    .string()
    .regex(/^rv-[0-9a-f]{20}$/, 'a review id looks like rv- and 20 hex digits (see npm run review -- list)')
    .optional(),
  as: z.string().optional(),
  note: z.string().max(2000, '--note is limited to 2000 characters').optional(),
  status: z.enum(['pending', 'approved', 'rejected', 'expired', 'all'], { error: `--status must be one of ${REVIEW_STATUSES.join(', ')} or all` }),
  json: z.boolean(),
  now: z.iso
    .datetime({ offset: true, error: '--now must be an ISO time such as 2026-12-03T09:00:00Z' })
    .transform((t) => new Date(t))
    .optional(),
  dataDir: z.string().min(1),
  stack: z.boolean(),
  stackName: z.string().min(1).optional(),
  table: z.string().optional(),
  stateMachineArn: z.string().regex(STATE_MACHINE_ARN, '--state-machine-arn is not a state machine ARN').optional(),
  region: z.string().optional(),
});
/** The options, and what a review past its deadline ends as (REVIEW_TIMEOUT_OUTCOME, the stack's reviewTimeoutOutcome). */
export type ReviewCliOptions = z.infer<typeof optionsSchema> & { timeoutOutcome: ReviewTimeoutOutcome };

export function parseReviewArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; options: ReviewCliOptions } {
  const { values, positionals } = parseFlags(
    argv,
    {
      as: { type: 'string' },
      note: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
      now: { type: 'string' },
      'data-dir': { type: 'string' },
      stack: { type: 'boolean' },
      'stack-name': { type: 'string' },
      table: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help || positionals.length === 0) return { help: true };
  const [command, second, ...extra] = positionals;
  const reviewId = command === 'block' ? undefined : second;
  if (extra.length) throw new ConfigError(`Unexpected arguments: ${extra.join(' ')}. Run with --help for the options.`);
  const { timeoutOutcome } = reviewTimeoutFromEnv(env);
  const parsed = checkFlags(optionsSchema, {
    command,
    reviewId,
    target: command === 'block' ? second : undefined,
    as: values.as,
    note: values.note,
    status: values.status ?? 'pending',
    json: values.json ?? false,
    now: values.now,
    dataDir: values['data-dir'] ?? (env.MODERATION_DATA_DIR || DEFAULT_MODERATION_DATA_DIR),
    stack: values.stack ?? values['stack-name'] !== undefined,
    stackName: values['stack-name'],
    table: values.table ?? (env.VERDICT_TABLE || undefined),
    stateMachineArn: values['state-machine-arn'] ?? (env.STATE_MACHINE_ARN || undefined),
    region: values.region ?? (env.AWS_REGION || undefined),
  });
  const o = { ...parsed, timeoutOutcome };
  const listing = o.command === 'list' || o.command === 'expire';
  if (o.command === 'block') {
    if (!o.target) throw new ConfigError('block needs an image file or its sha256: npm run review -- block <file or sha256>.');
    return { help: false, options: o };
  }
  if (!listing && !o.reviewId) throw new ConfigError(`${o.command} needs a review id: npm run review -- ${o.command} <reviewId>.`);
  if (listing && o.reviewId) throw new ConfigError(`${o.command} takes no review id; use show <reviewId>.`);
  if (o.now && o.command !== 'expire') throw new ConfigError('--now is only for expire.');
  if (o.command === 'expire' && (o.stack || o.table))
    throw new ConfigError(
      'expire runs on the local store. A deployed stack ends its own reviews: the waiting task times out (STANDARD), and the scheduled sweep runs every reviewSweepMinutes.',
    );
  return { help: false, options: o };
}

export interface ReviewIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The store and callbacks, and where `--stack` finds the deployed names (the Pulumi program's outputs). */
export type ReviewBackends = StoreBackends & { stackOutputs: StackOutputs };

export const defaultBackends: ReviewBackends = {
  ...defaultStoreBackends,
  stackOutputs: (stack) => pulumiStackOutputs(stack, 'pass --table and --state-machine-arn'),
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function formatItem(i: PublicReviewItem): string {
  const v = i.verdict;
  const lines = [
    `${i.reviewId}  ${i.status.toUpperCase()}${i.decidedBy ? ` by ${printable(i.decidedBy)} at ${i.decidedAt}` : ''}`,
    `  image:     ${printable(i.imageUrl ?? '-')}`,
    `  staged:    ${printable(v.image?.uri ?? '-')}  (${v.image ? `${v.image.width}x${v.image.height} ${v.image.format}` : '-'})`,
    `  sha256:    ${i.sha256}`,
    `  posts:     ${printable(i.postIds.join(', ')) || '-'}`,
    `  held:      ${i.createdAt}, deadline ${i.deadline}${i.waitingExecutions ? ` (${i.waitingExecutions} execution${i.waitingExecutions > 1 ? 's' : ''} waiting)` : ''}`,
    `  reasons:   ${v.reasons.map((r) => printable(`${r.code}${r.category ? ` ${r.category}` : ''}: ${r.message}`)).join('\n             ') || '-'}`,
    `  labels:    ${v.labels.map((l) => `${l.label} ${Math.round(l.score * 100)}%`).join(', ') || '-'}`,
    `  safety:    ${v.moderation.map((m) => `${m.name} ${Math.round(m.confidence)}%`).join(', ') || '-'}`,
    `  alt text:  ${printable(v.altText || '-')}`,
    `  ruleset:   ${i.ruleset}`,
  ];
  if (i.note) lines.push(`  note:      ${printable(i.note)}`);
  return lines.join('\n');
}

function formatList(items: PublicReviewItem[]): string {
  if (items.length === 0) return 'No reviews.';
  return items
    .map((i) => {
      const why = i.verdict.reasons.find((r) => r.code !== 'clean');
      return `${i.reviewId}  ${i.status.padEnd(8)}  deadline ${i.deadline}  ${why ? `${why.category ?? why.code}` : '-'}  ${printable(i.imageUrl ?? '')}`;
    })
    .join('\n');
}

function formatSweep(s: ExpirySweep): string {
  if (s.expired.length === 0) return `No pending review was past its deadline at ${s.now}.`;
  const lines = s.expired.map(
    (e) => `${e.reviewId}  deadline ${e.deadline}  -> ${e.decision}${e.postIds.length ? `  posts ${printable(e.postIds.join(', '))}` : ''}`,
  );
  const more = s.more ? '\nMore are due: run expire again.' : '';
  return `Expired ${s.expired.length} review${s.expired.length > 1 ? 's' : ''} past their deadline at ${s.now} (a moderator can still decide them):\n${lines.join('\n')}${more}`;
}

export async function reviewMain(argv: string[], io: ReviewIo, backends: ReviewBackends = defaultBackends): Promise<number> {
  let o: ReviewCliOptions;
  let moderator: string | undefined;
  try {
    const parsed = parseReviewArgs(argv, io.env);
    if (parsed.help) {
      io.stdout.write(`${REVIEW_USAGE}\n`);
      return 0;
    }
    o = parsed.options;
    if (o.command === 'approve' || o.command === 'reject' || o.command === 'block') moderator = checkModerator(o.as ?? (io.env.USER || userInfo().username));
  } catch (err) {
    io.stderr.write(`error: ${printable(describeError(err).message)}\n`);
    return 2;
  }

  let store: VerdictStore | undefined;
  try {
    let table = o.table;
    let arn = o.stateMachineArn;
    if (o.stack) {
      const out = await backends.stackOutputs(o.stackName);
      table ??= text(out.verdictTableName);
      arn ??= text(out.stateMachineArn);
      if (!table) throw new ConfigError('The stack has no verdictTableName output: deploy this version of the program first.');
    }
    const region = o.region ?? (arn ? parseStateMachineArn(arn)?.region : undefined);
    const remote = Boolean(table);
    store = await backends.openStore(remote ? { kind: 'dynamodb', table: table! } : { kind: 'sqlite', dataDir: o.dataDir }, region);
    const deps: ReviewDeps = { store, callbacks: remote ? await backends.callbacks(region) : undefined };

    if (o.command === 'block') {
      const target = isSha256(o.target) ? { sha256: o.target } : { file: path.resolve(o.target!), bytes: await readFile(o.target!) };
      const record = await blockImage(store, target, moderator!, { note: o.note });
      io.stdout.write(
        o.json
          ? `${JSON.stringify(record, null, 2)}\n`
          : `Blocked ${record.sha256} (by ${record.decidedBy}): its near-duplicates are answered as rejected from now on.\n`,
      );
      return 0;
    }
    if (o.command === 'expire') {
      const sweep = await expireDueReviews(deps, { outcome: o.timeoutOutcome, ...(o.now ? { now: o.now } : {}) });
      io.stdout.write(o.json ? `${JSON.stringify(sweep, null, 2)}\n` : `${formatSweep(sweep)}\n`);
      return 0;
    }
    if (o.command === 'list') {
      // Locally nothing else ends queued reviews: a pending item past its deadline is ended before it is shown.
      const items = await listQueue(deps, { ...(o.status === 'all' ? {} : { status: o.status }), ...(remote ? {} : { expireOutcome: o.timeoutOutcome }) });
      io.stdout.write(o.json ? `${JSON.stringify(items, null, 2)}\n` : `${formatList(items)}\n`);
      return 0;
    }
    if (o.command === 'show') {
      const item = await store.getReview(o.reviewId!);
      if (!item)
        throw new (await import('../functions/shared/errors.js')).ReviewNotFound(
          `No review ${o.reviewId} in ${store.location}. List them with: npm run review -- list --status all`,
        );
      io.stdout.write(o.json ? `${JSON.stringify(publicItem(item), null, 2)}\n` : `${formatItem(publicItem(item))}\n`);
      const alive = await heartbeatReview(deps, item);
      if (alive && !o.json) io.stdout.write(`  (heartbeat sent to ${alive} waiting execution${alive > 1 ? 's' : ''})\n`);
      return 0;
    }
    const outcome = await decideReview(deps, o.reviewId!, { decision: o.command === 'approve' ? 'approve' : 'reject', by: moderator!, note: o.note });
    if (o.json) {
      io.stdout.write(
        `${JSON.stringify({ reviewId: outcome.item.reviewId, status: outcome.item.status, decidedBy: outcome.record.decidedBy, changed: outcome.changed, delivery: outcome.delivery }, null, 2)}\n`,
      );
    } else {
      const what = `${outcome.item.reviewId} ${outcome.item.status} by ${outcome.record.decidedBy}`;
      const resumed = outcome.delivery.resumed ? `; ${outcome.delivery.resumed} waiting execution${outcome.delivery.resumed > 1 ? 's' : ''} resumed` : '';
      const stale = outcome.delivery.stale ? `; ${outcome.delivery.stale} had already ended` : '';
      const expired = outcome.delivery.expired
        ? '; its execution had already ended with the timeout outcome, so the decision applies from the next submission'
        : '';
      io.stdout.write(`${outcome.changed ? what : `${what} (already recorded, nothing changed)`}${resumed}${stale}${expired}.\n`);
    }
    return 0;
  } catch (err) {
    const { name, message } = describeError(err);
    io.stderr.write(`error: ${name === 'Error' ? '' : `${name}: `}${printable(message)}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await reviewMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
