/**
 * CheckSafety as a Lambda: the local engine (Rekognition needs no Lambda: the state machine calls it
 * directly). The engine (and its model session) is created once per process.
 */
import type { SafetyOutput } from '../shared/contracts/index.js';
import type { Telemetry } from '../shared/telemetry/create.js';
import { lambdaEntry, type StepCore } from '../shared/telemetry/entry.js';
import { METRICS } from '../shared/telemetry/metric-names.js';
import { quietTelemetry } from '../shared/telemetry/process.js';
import { inProcessSessions, type SessionHost } from '../shared/models/onnx-session.js';
import { memoized } from '../shared/once.js';
import type { RasterCache } from '../shared/raster.js';
import { stagingStoreFromEnv, type StagingStore } from '../shared/staging/index.js';
import { parseAnalyzeInput } from '../shared/analyze-input.js';
import { checksOf, mergeModerationLabels } from '../shared/checked-views.js';
import { safetyConfigFromEnv, type SafetyConfig } from './config.js';
import type { SafetyEngine } from './engine.js';
import { engineModelRef, LocalSafetyEngine } from './local.js';
import { NsfwModel } from './nsfw-model.js';
import { nsfwModelPin, resolveNsfwModel, type NsfwStoreOptions } from './nsfw-store.js';

export interface CheckSafetyDeps {
  store: StagingStore;
  engine: () => Promise<SafetyEngine>;
  /** Local mode: FetchImage's decode, when it kept one (functions/shared/raster.ts). */
  rasters?: RasterCache;
}

export function createCheckSafetyHandler(deps: CheckSafetyDeps): StepCore<SafetyOutput> {
  return async (event: unknown, t: Telemetry = quietTelemetry()): Promise<SafetyOutput> => {
    const { image } = parseAnalyzeInput(event);
    const engine = await deps.engine();
    const perView = await Promise.all(
      checksOf(image).map((view) =>
        t.traced('local safety', () =>
          engine.detect(image, () => t.traced('staging get', () => deps.store.get(view), 'staging I/O'), deps.rasters?.get(view.sha256)),
        ),
      ),
    );
    const labels = perView.length > 1 ? mergeModerationLabels(perView) : perView[0];
    t.logger.debug('safety checked', { engine: engine.name, labels: labels.map((l) => `${l.name} ${l.confidence}`), views: perView.length });
    return {
      engine: engine.name,
      labels,
      ...(engine.model ? { model: engine.model } : {}),
      ...(perView.length > 1 ? { views: perView.map((l) => ({ labels: l })) } : {}),
    };
  };
}

const engines = new Map<string, Promise<SafetyEngine>>();

/** The process-wide engine for these settings; a failed load is forgotten so the next call retries. */
export function getSafetyEngine(
  config: SafetyConfig = safetyConfigFromEnv(),
  t: Telemetry = quietTelemetry(),
  host: SessionHost = inProcessSessions,
): Promise<SafetyEngine> {
  const key = JSON.stringify({
    host: host.name,
    ...config,
    nsfw: { ...config.nsfw, s3Client: undefined },
    confirm: config.confirm && { ...config.confirm, s3Client: undefined },
  });
  const load = async (opts: NsfwStoreOptions) => {
    const started = performance.now();
    const pin = nsfwModelPin(opts.model ?? 'nsfwjs-mobilenet-v2');
    const resolved = await resolveNsfwModel(opts);
    const model = await NsfwModel.create(resolved.modelPath, config.threads, pin.size, host);
    const ms = performance.now() - started;
    t.milliseconds(METRICS.modelLoadTime, { step: 'CheckSafety', model: pin.name }, ms);
    t.logger.info('safety model loaded', { model: pin.name, sha256: resolved.sha256, source: resolved.source, loadMs: Math.round(ms) });
    return { ref: { name: pin.name, sha256: resolved.sha256 }, model };
  };
  return memoized(engines, key, () =>
    t.traced('model load', async (): Promise<SafetyEngine> => {
      // Both sessions load in parallel, before the first image: a missing model is a start-up error.
      const [primary, confirm] = await Promise.all([load(config.nsfw), config.confirm ? load(config.confirm) : undefined]);
      return new LocalSafetyEngine(
        { primary: primary.model, ...(confirm ? { confirm: confirm.model } : {}) },
        engineModelRef(primary.ref, confirm?.ref),
        config.minConfidence,
        { maxPixels: config.maxPixels },
      );
    }),
  );
}

export const handler = lambdaEntry('CheckSafety', (t) =>
  createCheckSafetyHandler({ store: stagingStoreFromEnv(), engine: () => getSafetyEngine(safetyConfigFromEnv(), t) }),
);
