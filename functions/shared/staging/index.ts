import { LocalStagingStore } from './local.js';
import { S3StagingStore } from './s3.js';
import type { StagingStore } from './store.js';

export type { StagingStore } from './store.js';
export { LocalStagingStore, S3StagingStore };

/**
 * Picks the adapter from the environment: STAGING_BUCKET (set by the Pulumi program) selects S3;
 * otherwise STAGING_DIR (default ./.staging) selects the local directory.
 */
export function stagingStoreFromEnv(env: NodeJS.ProcessEnv = process.env): StagingStore {
  const bucket = env.STAGING_BUCKET?.trim();
  if (bucket) return new S3StagingStore(bucket, undefined, env.STAGING_PREFIX ?? 'staging/');
  return new LocalStagingStore(env.STAGING_DIR?.trim() || '.staging');
}
