/**
 * The one place that wires the REAL step handlers to local adapters: a staging directory instead of S3,
 * the model mirror instead of EFS/S3, the local safety model (or Rekognition on the staged bytes),
 * local files allowed in FetchImage. The handlers' logic is the same code that runs in the Lambdas.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelStoreOptionsFromEnv } from '../functions/shared/models/config.js';
import { LocalStagingStore } from '../functions/shared/staging/index.js';
import { createAggregateHandler } from '../functions/aggregate/handler.js';
import { policyFromEnv } from '../functions/aggregate/policy.js';
import { classifierConfigFromEnv } from '../functions/classify/config.js';
import { createClassifyHandler, getClassifier } from '../functions/classify/handler.js';
import { fetchConfigFromEnv } from '../functions/fetch-image/config.js';
import { createFetchImageHandler } from '../functions/fetch-image/handler.js';
import { safetyConfigFromEnv } from '../functions/safety/config.js';
import { createCheckSafetyHandler, getSafetyEngine } from '../functions/safety/handler.js';
import type { AslDefinition } from './asl.js';
import { buildDefinition, REKOGNITION_MODERATION } from './definition.js';
import { LocalEngine, type CreateLocalWorkflow, type StepHandler } from './local-engine.js';

export type { LocalWorkflow } from './local-engine.js';

/** Function names the local definition uses in place of Lambda ARNs. */
export const LOCAL_FUNCTIONS = {
  fetch: 'local-fetch-image',
  classify: 'local-classify',
  safety: 'local-check-safety',
  aggregate: 'local-aggregate',
} as const;

/** Stands in for the staging bucket in the local definition; the local Rekognition adapter reads the directory. */
export const LOCAL_STAGING_BUCKET = 'local-staging';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** $MODEL_MIRROR, else ../shared/models when it exists (the offline mirror beside the checkout). */
export function defaultMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MODEL_MIRROR?.trim()) return path.resolve(env.MODEL_MIRROR.trim());
  const shared = path.resolve(repoRoot, env.SHARED_DIR ?? '../shared', 'models');
  return existsSync(shared) ? shared : undefined;
}

export function localDefinition(safetyEngine: 'local' | 'rekognition'): AslDefinition {
  return buildDefinition({
    fetchImageFunction: LOCAL_FUNCTIONS.fetch,
    classifyFunction: LOCAL_FUNCTIONS.classify,
    aggregateFunction: LOCAL_FUNCTIONS.aggregate,
    safety: safetyEngine === 'local' ? { engine: 'local', function: LOCAL_FUNCTIONS.safety } : { engine: 'rekognition' },
    stagingBucket: LOCAL_STAGING_BUCKET,
  });
}

export const createLocalWorkflow: CreateLocalWorkflow = async (opts) => {
  const env = opts.env ?? process.env;
  const store = new LocalStagingStore(opts.stagingDir);
  const mirror = opts.mirror ? path.resolve(opts.mirror) : defaultMirror(env);
  // Created once per process (the model session is the expensive part); a missing model fails here,
  // before any image, with the model store's own message.
  const storeOptions = modelStoreOptionsFromEnv({
    ...env,
    ...(mirror ? { MODEL_MIRROR: mirror } : {}),
    ...(opts.model ? { MODEL_NAME: opts.model } : {}),
  });
  const classifier = getClassifier({ store: storeOptions, config: classifierConfigFromEnv(env) });
  const safetyConfig = { ...safetyConfigFromEnv(env), engine: opts.safetyEngine };
  const safety = opts.safetyEngine === 'local' ? getSafetyEngine(safetyConfig) : undefined;
  // Both models load in parallel, once, before the first image.
  await Promise.all([classifier, safety]);
  const handlers: Record<string, StepHandler> = {
    [LOCAL_FUNCTIONS.fetch]: createFetchImageHandler({
      store,
      config: { ...fetchConfigFromEnv(env), allowLocalFiles: true, allowHosts: [...fetchConfigFromEnv(env).allowHosts, ...(opts.fetch?.allowHosts ?? [])] },
    }) as StepHandler,
    [LOCAL_FUNCTIONS.classify]: createClassifyHandler({ store, classifier: () => classifier }) as StepHandler,
    [LOCAL_FUNCTIONS.aggregate]: createAggregateHandler({ policy: policyFromEnv(env) }) as StepHandler,
  };
  if (opts.safetyEngine === 'local') {
    handlers[LOCAL_FUNCTIONS.safety] = createCheckSafetyHandler({ store, engine: () => safety! }) as StepHandler;
  } else {
    handlers[REKOGNITION_MODERATION] = await rekognitionOnStagedBytes(store);
  }
  const wrapped = opts.wrap ? Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, opts.wrap!(k, h)])) : handlers;
  const definition = localDefinition(opts.safetyEngine);
  const engine = new LocalEngine(definition, { handlers: wrapped, retryIntervalOverrides: opts.retryIntervalOverrides });
  return { definition, engine, run: (input) => engine.run(input) };
};

/**
 * The SDK integration's local stand-in: the state machine asks for S3Object on the staging bucket; here
 * the staging bucket is a directory, so the same key is read from it and sent as bytes.
 */
async function rekognitionOnStagedBytes(store: LocalStagingStore): Promise<StepHandler> {
  const { RekognitionClient, DetectModerationLabelsCommand } = await import('@aws-sdk/client-rekognition');
  const client = new RekognitionClient({});
  try {
    await client.config.region();
  } catch {
    throw new (await import('../functions/shared/errors.js')).ConfigError(
      '--safety-engine rekognition calls Amazon Rekognition and needs AWS credentials and a region (AWS_REGION plus a profile or keys). Use --safety-engine local to stay offline.',
    );
  }
  return async (params) => {
    const p = params as { Image: { S3Object: { Name: string } }; MinConfidence?: number };
    const bytes = await store.get({ uri: '', key: p.Image.S3Object.Name });
    try {
      const res = await client.send(new DetectModerationLabelsCommand({ Image: { Bytes: bytes }, MinConfidence: p.MinConfidence }));
      return { ModerationLabels: res.ModerationLabels ?? [], ModerationModelVersion: res.ModerationModelVersion ?? '' };
    } catch (err) {
      // Step Functions names SDK-integration errors Service.Exception; keep that so Retry/Catch match the same.
      const e = new Error((err as Error).message);
      e.name = `Rekognition.${(err as Error).name}`;
      throw e;
    }
  };
}
