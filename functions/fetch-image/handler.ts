/** FetchImage: the Lambda entry and its factory (the local engine builds one with local adapters). */
import type { S3Client } from '@aws-sdk/client-s3';
import { defaultS3Client } from '../shared/s3-client.js';
import type { FetchImageOutput } from '../shared/contracts/index.js';
import { parseFetchImageInput } from '../shared/moderation-input.js';
import type { Telemetry } from '../shared/telemetry/create.js';
import { lambdaEntry, type StepCore } from '../shared/telemetry/entry.js';
import { METRICS } from '../shared/telemetry/metric-names.js';
import { quietTelemetry } from '../shared/telemetry/process.js';
import type { RasterCache } from '../shared/raster.js';
import { stagingStoreFromEnv, type StagingStore } from '../shared/staging/index.js';
import { fetchConfig, fetchConfigFromEnv, type FetchConfig } from './config.js';
import { fetchImage } from './fetch.js';

export interface FetchImageDeps {
  store: StagingStore;
  config?: Partial<FetchConfig>;
  s3?: S3Client;
  rasters?: RasterCache;
}

export function createFetchImageHandler(deps: FetchImageDeps): StepCore<FetchImageOutput> {
  const config = fetchConfig(deps.config);
  const getS3 = () => (deps.s3 ? Promise.resolve(deps.s3) : defaultS3Client());
  return async (event: unknown, t: Telemetry = quietTelemetry()): Promise<FetchImageOutput> => {
    const { input } = parseFetchImageInput(event);
    const started = performance.now();
    const out = await t.traced('fetch image', () => fetchImage(input, { store: deps.store, config, s3: getS3, rasters: deps.rasters }));
    const ms = performance.now() - started;
    t.bytes(METRICS.fetchBytes, {}, out.image.bytes);
    t.milliseconds(METRICS.fetchLatency, {}, ms);
    // The URL is logged without its query string (the log replacer strips it): signed URLs carry secrets there.
    t.logger.info('image fetched', {
      imageUrl: input.imageUrl,
      bytes: out.image.bytes,
      format: out.image.format,
      width: out.image.width,
      height: out.image.height,
      fetchMs: Math.round(ms),
    });
    return out;
  };
}

export const handler = lambdaEntry('FetchImage', () => createFetchImageHandler({ store: stagingStoreFromEnv(), config: fetchConfigFromEnv() }));
