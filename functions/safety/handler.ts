/**
 * CheckSafety as a Lambda: the local engine (Rekognition needs no Lambda: the state machine calls it
 * directly). The engine (and its model session) is created once per process.
 */
import type { AnalyzeInput, SafetyOutput } from '../shared/contracts.js';
import { memoized } from '../shared/once.js';
import { phase } from '../shared/profile.js';
import type { RasterCache } from '../shared/raster.js';
import { stagingStoreFromEnv, type StagingStore } from '../shared/staging/index.js';
import { parseAnalyzeInput } from '../shared/analyze-input.js';
import { safetyConfigFromEnv, type SafetyConfig } from './config.js';
import type { SafetyEngine } from './engine.js';
import { LocalSafetyEngine } from './local.js';
import { NsfwModel } from './nsfw-model.js';
import { NSFW_PIN, resolveNsfwModel } from './nsfw-store.js';

export interface CheckSafetyDeps {
  store: StagingStore;
  engine: () => Promise<SafetyEngine>;
  /** Local mode: FetchImage's decode, when it kept one (functions/shared/raster.ts). */
  rasters?: RasterCache;
}

export function createCheckSafetyHandler(deps: CheckSafetyDeps) {
  return async (event: AnalyzeInput): Promise<SafetyOutput> => {
    const { image } = parseAnalyzeInput(event);
    const engine = await deps.engine();
    const labels = await engine.detect(image, () => phase('staging I/O', () => deps.store.get(image)), deps.rasters?.get(image.sha256));
    return { engine: engine.name, labels, ...(engine.model ? { model: engine.model } : {}) };
  };
}

const engines = new Map<string, Promise<SafetyEngine>>();

/** The process-wide engine for these settings; a failed load is forgotten so the next call retries. */
export function getSafetyEngine(config: SafetyConfig = safetyConfigFromEnv()): Promise<SafetyEngine> {
  const key = JSON.stringify({ ...config, nsfw: { ...config.nsfw, s3Client: undefined } });
  return memoized(engines, key, async (): Promise<SafetyEngine> => {
    const resolved = await resolveNsfwModel(config.nsfw);
    const model = await NsfwModel.create(resolved.modelPath, config.threads);
    return new LocalSafetyEngine(model, { name: NSFW_PIN.name, sha256: resolved.sha256 }, config.minConfidence);
  });
}

let lambdaHandler: ReturnType<typeof createCheckSafetyHandler> | undefined;

export const handler = (event: AnalyzeInput): Promise<SafetyOutput> => {
  lambdaHandler ??= createCheckSafetyHandler({ store: stagingStoreFromEnv(), engine: () => getSafetyEngine() });
  return lambdaHandler(event);
};
