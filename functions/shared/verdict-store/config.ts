/** Where the verdict store lives: a DynamoDB table in AWS (VERDICT_TABLE), else SQLite under MODERATION_DATA_DIR. */
import { z } from 'zod';
import { parseEnv } from '../env.js';

export const DEFAULT_MODERATION_DATA_DIR = '.moderation';

export type VerdictStoreConfig = { kind: 'dynamodb'; table: string } | { kind: 'sqlite'; dataDir: string };

const schema = z.object({
  VERDICT_TABLE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
    .optional()
    .or(z.literal('')),
  MODERATION_DATA_DIR: z.string().trim().optional(),
});

export function verdictStoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): VerdictStoreConfig {
  const e = parseEnv(schema, env, 'verdict store');
  if (e.VERDICT_TABLE) return { kind: 'dynamodb', table: e.VERDICT_TABLE };
  return { kind: 'sqlite', dataDir: e.MODERATION_DATA_DIR || DEFAULT_MODERATION_DATA_DIR };
}
