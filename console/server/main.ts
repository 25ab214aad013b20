/**
 * `npm run console`: the moderator console on 127.0.0.1, with a fresh token per start printed in the
 * URL (as Jupyter does). Local mode reads the CLI's recorded executions and the local stores; with
 * --state-machine-arn or --stack it lists the deployed stack's executions and links them to AWS.
 */
import path from 'node:path';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ServerType } from '@hono/node-server';
import { ConfigError, describeError } from '../../functions/shared/errors.js';
import { LocalStagingStore, S3StagingStore, type StagingStore } from '../../functions/shared/staging/index.js';
import type { AslDefinition } from '../../workflows/asl.js';
import type { VerdictStore } from '../../functions/shared/verdict-store/index.js';
import { checkModerator } from '../../functions/shared/verdict-store/rules.js';
import { ExecutionLog } from '../../workflows/local/execution-log.js';
import type { ReviewDeps } from '../../functions/verdicts/deps.js';
import { defaultStoreBackends, type StoreBackends } from '../../functions/verdicts/backends.js';
import { parseStateMachineArn, pulumiStackOutputs } from '../../cli/stack.js';
import { localDefinition } from '../../workflows/local/definition.js';
import type { ConsoleInfo } from './api.js';
import { createConsoleApp } from './app.js';
import { deployedExecutions, localExecutions, type ExecutionSource } from './executions.js';
import { CONSOLE_USAGE, parseConsoleArgs, type ConsoleOptions } from './options.js';
import { evalReportFile } from './routes/eval.js';
import { storeReviews } from './reviews.js';
import { pageScript } from './page-bundle.js';
import { newToken } from './security.js';
import { listenLocal, runWhenEntryPoint, serverMain, type Listening, type ServerIo } from '../../cli/local-server.js';

export interface RunningConsole {
  url: string;
  origin: string;
  token: string;
  server: ServerType;
  close(): Promise<void>;
}

export interface ConsoleOverrides {
  sfn?: SFNClient;
  /** How the review store and Step Functions callbacks are opened (default: what `npm run review` uses). */
  reviewBackends?: StoreBackends;
  /** Reads a Pulumi stack's outputs (default: the pulumi CLI). */
  stackOutputs?: (stack: string) => Promise<Record<string, unknown>>;
}

const consoleStackOutputs = (stack: string) => pulumiStackOutputs(stack, 'pass --state-machine-arn (and --staging-bucket) instead');

interface Sources {
  store: VerdictStore;
  callbacks?: ReviewDeps['callbacks'];
  definition: AslDefinition;
  executions: ExecutionSource;
  staging: StagingStore;
  info: ConsoleInfo;
}

interface Deployed {
  arn: string;
  bucket?: string;
  /** The deployed verdict table; without one the queue is the local store's. */
  table?: string;
}

async function deployedSources(
  { arn, bucket, table }: Deployed,
  opts: ConsoleOptions,
  backends: ConsoleOverrides['reviewBackends'] & object,
  sfn: SFNClient | undefined,
): Promise<Sources> {
  const region = parseStateMachineArn(arn)?.region;
  const executions = deployedExecutions(arn, sfn);
  const client = sfn ?? new SFNClient({ region });
  let definition: AslDefinition;
  try {
    // The graph is the definition as deployed, read back from Step Functions.
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    definition = JSON.parse(described.definition ?? '') as AslDefinition;
  } catch (err) {
    throw new ConfigError(
      `Could not describe ${arn}: ${describeError(err).message}. Check AWS credentials (states:DescribeStateMachine and states:ListExecutions are needed) and the ARN.`,
    );
  }
  const store = await backends.openStore(table ? { kind: 'dynamodb', table } : { kind: 'sqlite', dataDir: opts.dataDir }, region);
  return {
    store,
    callbacks: table ? await backends.callbacks(region) : undefined,
    definition,
    executions,
    staging: bucket ? new S3StagingStore(bucket) : new LocalStagingStore(opts.stagingDir),
    info: { mode: 'deployed', stateMachineArn: arn, stagingBucket: bucket, reviewStore: `${store.kind} ${store.location}` },
  };
}

async function localSources(opts: ConsoleOptions, backends: ConsoleOverrides['reviewBackends'] & object): Promise<Sources> {
  // An unreadable or unwritable data directory is a start-up error, not an empty page.
  const log = await new ExecutionLog(opts.dataDir).open();
  // --table without a state machine: the deployed review queue (as `npm run review -- --table`), decisions
  // resuming its waiting executions; the executions listed stay the local ones.
  const store = await backends.openStore(opts.table ? { kind: 'dynamodb', table: opts.table } : { kind: 'sqlite', dataDir: opts.dataDir });
  return {
    store,
    callbacks: opts.table ? await backends.callbacks() : undefined,
    // The ruleset (models + policy) is known per run; each recorded execution carries its own definition.
    definition: localDefinition(opts.safetyEngine, '(the ruleset of each run)'),
    executions: localExecutions(log),
    staging: new LocalStagingStore(opts.stagingDir),
    info: {
      mode: 'local',
      dataDir: path.resolve(opts.dataDir),
      stagingDir: path.resolve(opts.stagingDir),
      reviewStore: `${store.kind} ${store.location}`,
    },
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export async function startConsole(opts: ConsoleOptions, overrides: ConsoleOverrides = {}): Promise<RunningConsole> {
  const moderator = checkModerator(opts.moderator);
  // Before any store is opened: a page that does not bundle is a start-up error with nothing to close.
  const script = await pageScript();
  const backends = { ...defaultStoreBackends, ...overrides.reviewBackends };
  let sources: Sources;
  if (opts.stack) {
    const outputs = await (overrides.stackOutputs ?? consoleStackOutputs)(opts.stack);
    const arn = text(outputs.stateMachineArn);
    if (!arn) throw new ConfigError(`Pulumi stack ${opts.stack} has no stateMachineArn output: deploy it first (pulumi up).`);
    const deployed = { arn, bucket: opts.stagingBucket ?? text(outputs.stagingBucketName), table: opts.table ?? text(outputs.verdictTableName) };
    sources = await deployedSources(deployed, opts, backends, overrides.sfn);
  } else if (opts.stateMachineArn) {
    sources = await deployedSources({ arn: opts.stateMachineArn, bucket: opts.stagingBucket, table: opts.table }, opts, backends, overrides.sfn);
  } else {
    sources = await localSources(opts, backends);
  }

  const token = newToken();
  let hosts: string[] = [];
  const { store, callbacks, ...rest } = sources;
  const app = createConsoleApp({
    token,
    hosts: () => hosts,
    ...rest,
    // A local store has nobody else to end its reviews at their deadline: the queue does, before it lists.
    reviews: storeReviews({ store, callbacks, ...(store.kind === 'sqlite' ? { expireOutcome: opts.reviewTimeoutOutcome ?? 'review' } : {}) }),
    moderator,
    evalReport: evalReportFile(path.resolve(opts.evalReport)),
    pageScript: script,
  });
  let listening: Listening;
  try {
    listening = await listenLocal(app.fetch, opts.host, opts.port);
  } catch (err) {
    await store.close();
    throw err;
  }
  hosts = listening.hosts;
  return {
    url: `${listening.origin}/?token=${token}`,
    origin: listening.origin,
    token,
    server: listening.server,
    close: async () => {
      await listening.close();
      await store.close();
    },
  };
}

export function main(argv: string[], io: ServerIo): Promise<RunningConsole | number> {
  return serverMain(argv, io, {
    parse: parseConsoleArgs,
    usage: CONSOLE_USAGE,
    start: (opts) => startConsole(opts),
    host: (opts) => opts.host,
    exposure: 'decide reviews',
    banner: (running) => `Moderation console running. Open this URL (the token changes at every start):\n\n    ${running.url}\n\nCtrl-C to stop.\n`,
  });
}

await runWhenEntryPoint(import.meta.url, main);
