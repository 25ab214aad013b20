import { SqliteVerdictStore } from './sqlite.js';
import type { VerdictStore } from './store.js';
import type { VerdictStoreConfig } from './config.js';

export type { VerdictStore, NewVerdict, ReviewRequest, DecideResult, ExpireResult, VerdictQuery } from './store.js';
export { verdictStoreConfigFromEnv, DEFAULT_MODERATION_DATA_DIR, type VerdictStoreConfig } from './config.js';
export { SqliteVerdictStore, SQLITE_FILE } from './sqlite.js';

/**
 * Opens the configured store; an unusable one is VerdictStoreUnavailable here, at start-up. `region`: a
 * deployed table named from a tool (the state machine ARN's region); the Lambdas use the SDK's own.
 */
export async function openVerdictStore(config: VerdictStoreConfig, region?: string): Promise<VerdictStore> {
  if (config.kind === 'sqlite') return SqliteVerdictStore.open(config.dataDir);
  const { DynamoVerdictStore } = await import('./dynamodb.js');
  if (!region) return DynamoVerdictStore.open(config.table);
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return DynamoVerdictStore.open(config.table, new DynamoDBClient({ region }));
}
