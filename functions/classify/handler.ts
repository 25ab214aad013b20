/**
 * ClassifyImage: reads the staged image (S3 in AWS, the staging directory locally) and returns the
 * top-5 ImageNet labels. The model session is created once per process and reused while warm.
 */
import type { ClassifyOutput } from '../shared/contracts/index.js';
import { parseAnalyzeInput } from '../shared/analyze-input.js';
import { checksOf, mergeClassLabels } from '../shared/checked-views.js';
import { ConfigError } from '../shared/errors.js';
import { memoized } from '../shared/once.js';
import { loadLabels } from '../shared/models/labels.js';
import { modelStoreOptions } from '../shared/models/config.js';
import { inProcessSessions, type SessionHost } from '../shared/models/onnx-session.js';
import { isTimingOnly } from '../shared/models/manifest.js';
import { resolveModel, type ModelStoreOptions } from '../shared/models/store.js';
import type { RasterCache } from '../shared/raster.js';
import { stagingStoreFromEnv, type StagingStore } from '../shared/staging/index.js';
import type { Telemetry } from '../shared/telemetry/create.js';
import { lambdaEntry, type StepCore } from '../shared/telemetry/entry.js';
import { METRICS } from '../shared/telemetry/metric-names.js';
import { quietTelemetry } from '../shared/telemetry/process.js';
import { Classifier } from './classifier.js';
import { classifierConfigFromEnv, type ClassifierConfig } from './config.js';

export interface ClassifyDeps {
  store: StagingStore;
  classifier: () => Promise<Classifier>;
  /** Local mode: FetchImage's decode, when it kept one (functions/shared/raster.ts). */
  rasters?: RasterCache;
}

export function createClassifyHandler(deps: ClassifyDeps): StepCore<ClassifyOutput> {
  return async (event: unknown, t: Telemetry = quietTelemetry()): Promise<ClassifyOutput> => {
    const { image } = parseAnalyzeInput(event);
    // Every checked view (frames, alpha on two pages): one session run each.
    const perView = await Promise.all(
      checksOf(image).map(async (view) => {
        const source = deps.rasters?.get(view.sha256) ?? t.traced('staging get', () => deps.store.get(view), 'staging I/O');
        const [classifier, input] = await Promise.all([deps.classifier(), source]);
        return t.traced('classify', () => classifier.classify(input));
      }),
    );
    const { model } = await deps.classifier();
    const labels = perView.length > 1 ? mergeClassLabels(perView) : perView[0];
    t.logger.debug('classified', { model: model.name, top: labels[0]?.label, score: labels[0]?.score, views: perView.length });
    return { labels, model, ...(perView.length > 1 ? { views: perView.map((l) => ({ labels: l })) } : {}) };
  };
}

export interface GetClassifierOptions {
  store?: ModelStoreOptions;
  config?: ClassifierConfig;
  /** Benchmarks may load timing-only models (random weights); tagging never does. */
  allowTimingOnly?: boolean;
  /** Where the model's load time goes (metric ModelLoadTime, a log line, an X-Ray subsegment). */
  telemetry?: Telemetry;
  /** Where the session runs: this thread (a Lambda) or a worker thread (the local engine). */
  host?: SessionHost;
}

const classifiers = new Map<string, Promise<Classifier>>();

/**
 * The process-wide classifier for these settings (one session per model per process). A failed load is
 * forgotten so the next invocation retries instead of caching the failure.
 */
export function getClassifier(opts: GetClassifierOptions = {}): Promise<Classifier> {
  const store = opts.store ?? modelStoreOptions();
  const config = opts.config ?? classifierConfigFromEnv();
  const host = opts.host ?? inProcessSessions;
  const key = JSON.stringify({ ...store, s3Client: undefined, catalog: undefined, config, host: host.name });
  const t = opts.telemetry ?? quietTelemetry();
  return memoized(classifiers, key, () =>
    t.traced('model load', async () => {
      const started = performance.now();
      const resolved = await resolveModel(store);
      if (isTimingOnly(resolved.manifest) && !opts.allowTimingOnly) {
        throw new ConfigError(`${resolved.manifest.name} has random weights (timing only): its labels mean nothing. Pick a real model (MODEL_NAME).`);
      }
      const labels = await loadLabels(resolved);
      const classifier = await Classifier.create({
        modelPath: resolved.modelPath,
        manifest: resolved.manifest,
        labels,
        sha256: resolved.sha256,
        threads: config.threads,
        host,
        limits: { maxPixels: config.maxPixels },
      });
      const ms = performance.now() - started;
      t.milliseconds(METRICS.modelLoadTime, { step: 'ClassifyImage', model: resolved.manifest.name }, ms);
      t.logger.info('classifier model loaded', {
        model: resolved.manifest.name,
        sha256: resolved.sha256,
        source: resolved.source,
        loadMs: Math.round(ms),
        threads: config.threads,
      });
      return classifier;
    }),
  );
}

/** The Lambda entry: settings read from the environment on the first invocation, then reused. */
export const handler = lambdaEntry('ClassifyImage', (t) =>
  createClassifyHandler({ store: stagingStoreFromEnv(), classifier: () => getClassifier({ telemetry: t }) }),
);
