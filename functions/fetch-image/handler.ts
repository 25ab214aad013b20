/** FetchImage: the Lambda entry and its factory (the local engine builds one with local adapters). */
import type { S3Client } from '@aws-sdk/client-s3';
import { defaultS3Client } from '../shared/s3-client.js';
import type { FetchImageOutput, ModerationInput } from '../shared/contracts.js';
import { parseModerationInput } from '../shared/moderation-input.js';
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

export function createFetchImageHandler(deps: FetchImageDeps) {
  const config = fetchConfig(deps.config);
  const getS3 = () => (deps.s3 ? Promise.resolve(deps.s3) : defaultS3Client());
  return async (event: ModerationInput): Promise<FetchImageOutput> => fetchImage(parseModerationInput(event), { store: deps.store, config, s3: getS3, rasters: deps.rasters });
}

let lambdaHandler: ReturnType<typeof createFetchImageHandler> | undefined;

export const handler = (event: ModerationInput): Promise<FetchImageOutput> => {
  lambdaHandler ??= createFetchImageHandler({ store: stagingStoreFromEnv(), config: fetchConfigFromEnv() });
  return lambdaHandler(event);
};
