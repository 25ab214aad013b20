/**
 * The one place that wires the REAL step handlers to local adapters: a staging directory instead of S3,
 * the model mirror instead of EFS/S3, the local safety model (or Rekognition on the staged bytes),
 * local files allowed in FetchImage. The handlers' logic is the same code that runs in the Lambdas.
 */
import { availableParallelism } from 'node:os';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { defaultMirror } from '../../functions/shared/project.js';
import { LruRasterCache } from '../../functions/shared/raster.js';
import { workerSessions } from './worker-sessions.js';
import { LocalStagingStore } from '../../functions/shared/staging/index.js';
import { createAggregateHandler } from '../../functions/aggregate/handler.js';
import { policyFromEnv } from '../../functions/aggregate/policy.js';
import { classifierConfigFromEnv } from '../../functions/classify/config.js';
import { createClassifyHandler, getClassifier } from '../../functions/classify/handler.js';
import { fetchConfigFromEnv } from '../../functions/fetch-image/config.js';
import { createFetchImageHandler } from '../../functions/fetch-image/handler.js';
import { safetyConfigFromEnv } from '../../functions/safety/config.js';
import { createCheckSafetyHandler, getSafetyEngine } from '../../functions/safety/handler.js';
import { openVerdictStore, verdictStoreConfigFromEnv } from '../../functions/shared/verdict-store/index.js';
import { reviewTimeoutFromEnv } from '../../functions/shared/verdict-store/review-config.js';
import { rulesetOf } from '../../functions/shared/verdict-store/ruleset.js';
import { createVerdictStepHandler, verdictStepOf } from '../../functions/verdicts/handler.js';
import { DEFAULT_REKOGNITION_MIN_CONFIDENCE, REKOGNITION_MODERATION } from '../definition.js';
import { LOCAL_FUNCTIONS, localDefinition } from './definition.js';
import type { ModerationInput, Ruleset } from '../../functions/shared/contracts/index.js';
import type { VerdictStore } from '../../functions/shared/verdict-store/store.js';
import type { LineSink } from '../../functions/shared/telemetry/create.js';
import type { AslDefinition } from '../asl.js';
import { lambdaEntry } from '../../functions/shared/telemetry/entry.js';
import { telemetryConfigFromEnv } from '../../functions/shared/telemetry/config.js';
import { createTelemetry } from '../../functions/shared/telemetry/create.js';
import { quietTelemetry } from '../../functions/shared/telemetry/process.js';
import { LocalEngine, type LocalExecution, type StepHandler } from './engine.js';
import { rekognitionOnStagedBytes } from './rekognition.js';
import { assertValidDefinition } from '../validate.js';

/** What the CLI and the benchmark need: one definition, bound once, run per image. */
export interface LocalWorkflow {
  definition: AslDefinition;
  engine: LocalEngine;
  /** What verdicts are recorded under (classifier + safety model + policy). */
  ruleset: Ruleset;
  /** The local verdict + review store (SQLite under MODERATION_DATA_DIR). */
  verdicts: VerdictStore;
  run(input: ModerationInput): Promise<LocalExecution>;
  close(): Promise<void>;
}

export interface LocalWorkflowOptions {
  stagingDir: string;
  /** Where the verdict store lives; default $MODERATION_DATA_DIR, else .moderation. */
  dataDir?: string;
  safetyEngine: 'local' | 'rekognition';
  /** Offline model mirror; default $MODEL_MIRROR, else ../shared/models when present. */
  mirror?: string;
  model?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra fetch settings, e.g. tests allow-list their loopback server. */
  fetch?: { allowHosts?: string[] };
  /** Tests skip backoff waits (ms per retry, by state name). */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Wraps a step handler by function name: tests inject transient faults around the real handler. */
  wrap?: (functionName: string, handler: StepHandler) => StepHandler;
  /** Where the steps' JSON logs and EMF metrics go (the CLI: stderr with --verbose); nowhere when absent. */
  logTo?: LineSink;
}

export type CreateLocalWorkflow = (options: LocalWorkflowOptions) => Promise<LocalWorkflow>;

/**
 * Intra-op threads per model when both run in one process: ClassifyImage and CheckSafety run at the same
 * time in the Parallel state, so each gets its share of the cores instead of both asking for all of them
 * (4 spinning threads on 2 cores). Measured on 2 cores, one bench process, zebra p50 / 50 photos at
 * concurrency 2: 2+2 threads 594-1081 ms / 1.1-2.0 images/s, 1+1 272-456 ms / 2.3-5.6 (machine at load 18).
 * With Rekognition the classifier is the only model and keeps every core.
 */
export function parallelThreadBudget(cores: number, localSafety: boolean): { classifier: number; safety: number } {
  if (!localSafety) return { classifier: cores, safety: cores };
  return { classifier: Math.max(1, Math.floor(cores / 2)), safety: Math.max(1, Math.ceil(cores / 2)) };
}

export const createLocalWorkflow: CreateLocalWorkflow = async (opts) => {
  const env = opts.env ?? process.env;
  const store = new LocalStagingStore(opts.stagingDir);
  // An environment fault is one error at start-up, not a NeedsReview per image.
  await store.ready();
  // One decode per image: FetchImage's, shared by both analysis steps where that is exact.
  const rasters = new LruRasterCache();
  // Created once per process (the model session is the expensive part); a missing model fails here,
  // before any image, with the model store's own message.
  const storeOptions = modelStoreOptions({ name: opts.model, mirrorDir: opts.mirror ?? defaultMirror(env) }, env);
  const threads = parallelThreadBudget(availableParallelism(), opts.safetyEngine === 'local');
  // Logs and metrics as the Lambdas write them, never tracing (no X-Ray daemon here).
  const t = opts.logTo ? createTelemetry({ ...telemetryConfigFromEnv(env), tracing: false }, opts.logTo) : quietTelemetry();
  // Each model in a worker thread: onnxruntime-node runs a session on the calling thread, so in this one
  // process the two models and the engine would otherwise take turns on one core.
  const classifier = getClassifier({ store: storeOptions, config: classifierConfigFromEnv(env, threads.classifier), telemetry: t, host: workerSessions });
  const safety = opts.safetyEngine === 'local' ? getSafetyEngine(safetyConfigFromEnv(env, threads.safety), t, workerSessions) : undefined;
  // The verdict store opens first: an unwritable MODERATION_DATA_DIR fails before any model loads.
  const verdictConfig = verdictStoreConfigFromEnv(
    opts.dataDir ? { ...env, MODERATION_DATA_DIR: opts.dataDir, VERDICT_TABLE: '' } : { ...env, VERDICT_TABLE: '' },
  );
  const verdicts = await openVerdictStore(verdictConfig);
  // Both models load in parallel, once, before the first image.
  const [classifierReady, safetyReady] = await Promise.all([classifier, safety]);
  const policy = policyFromEnv(env);
  const ruleset = rulesetOf({
    classifier: classifierReady.model,
    safety:
      safetyReady?.model && 'sha256' in safetyReady.model
        ? { engine: 'local', model: safetyReady.model }
        : { engine: 'rekognition', minConfidence: DEFAULT_REKOGNITION_MIN_CONFIDENCE },
    policy,
  });
  // The same entry wrapper as the Lambdas: the same log lines and metrics, to the CLI's sink. Each local
  // function counts its own ColdStart (function_name = its local name) on its first invocation.
  const fetchConfig = fetchConfigFromEnv(env);
  const entry = <O>(fn: string, step: Parameters<typeof lambdaEntry<O>>[0], create: Parameters<typeof lambdaEntry<O>>[1]) =>
    lambdaEntry(step, create, () => t, { functionName: fn });
  const handlers: Record<string, StepHandler> = {
    [LOCAL_FUNCTIONS.fetch]: entry(LOCAL_FUNCTIONS.fetch, 'FetchImage', () =>
      createFetchImageHandler({
        store,
        config: { ...fetchConfig, allowLocalFiles: true, allowHosts: [...fetchConfig.allowHosts, ...(opts.fetch?.allowHosts ?? [])] },
        rasters,
      }),
    ),
    [LOCAL_FUNCTIONS.classify]: entry(LOCAL_FUNCTIONS.classify, 'ClassifyImage', () => createClassifyHandler({ store, classifier: () => classifier, rasters })),
    [LOCAL_FUNCTIONS.aggregate]: entry(LOCAL_FUNCTIONS.aggregate, 'AggregateVerdict', () => createAggregateHandler({ policy })),
    // No notifier and no task callbacks: locally nobody waits; `npm run review` reads the same store.
    [LOCAL_FUNCTIONS.verdicts]: entry(LOCAL_FUNCTIONS.verdicts, verdictStepOf, () => createVerdictStepHandler({ store: verdicts })),
  };
  if (opts.safetyEngine === 'local') {
    handlers[LOCAL_FUNCTIONS.safety] = entry(LOCAL_FUNCTIONS.safety, 'CheckSafety', () => createCheckSafetyHandler({ store, engine: () => safety!, rasters }));
  } else {
    handlers[REKOGNITION_MODERATION] = await rekognitionOnStagedBytes(store);
  }
  const wrapped = opts.wrap ? Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, opts.wrap!(k, h)])) : handlers;
  const definition = assertValidDefinition(localDefinition(opts.safetyEngine, ruleset, reviewTimeoutFromEnv(env)), 'local');
  const engine = new LocalEngine(definition, { handlers: wrapped, retryIntervalOverrides: opts.retryIntervalOverrides });
  return { definition, engine, ruleset, verdicts, run: (input) => engine.run(input), close: () => verdicts.close() };
};
