import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseEnv } from '../env.js';
import type { ModelStoreOptions } from './store.js';

/** <repo>/.cache/models for local runs (the Lambda sets MODEL_CACHE_DIR=/mnt/models, its EFS mount). */
function defaultCacheDir(): string {
  try {
    return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.cache/models');
  } catch {
    // Bundled without a file URL: fall back to the working directory.
    return path.resolve('.cache/models');
  }
}

const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), schema.optional());

const envSchema = z.object({
  MODEL_NAME: optional(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a catalog model name such as resnet50-v1-12-int8')),
  MODEL_PATH: optional(z.string()),
  MODEL_CACHE_DIR: optional(z.string()),
  MODEL_MIRROR: optional(z.string()),
  MODEL_S3_URI: optional(z.string().regex(/^s3:\/\/[^/]+\/.+$/, 'expected s3://bucket/key')),
  MODEL_SHA256: optional(z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters')),
  MODEL_ALLOW_DOWNLOAD: optional(z.string().regex(/^(true|false|1|0|yes|no)$/i, 'expected true or false')),
});

/** The model store's settings, validated once where the process starts (handler module, CLI). */
export function modelStoreOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ModelStoreOptions {
  const data = parseEnv(envSchema, env, 'model');
  const e = data;
  const opts: ModelStoreOptions = {
    cacheDir: e.MODEL_CACHE_DIR ? path.resolve(e.MODEL_CACHE_DIR) : defaultCacheDir(),
    allowDownload: e.MODEL_ALLOW_DOWNLOAD === undefined ? true : /^(true|1|yes)$/i.test(e.MODEL_ALLOW_DOWNLOAD),
  };
  if (e.MODEL_NAME) opts.name = e.MODEL_NAME;
  if (e.MODEL_PATH) opts.path = path.resolve(e.MODEL_PATH);
  if (e.MODEL_MIRROR) opts.mirrorDir = path.resolve(e.MODEL_MIRROR);
  if (e.MODEL_S3_URI) opts.s3Uri = e.MODEL_S3_URI;
  if (e.MODEL_SHA256) opts.sha256 = e.MODEL_SHA256.toLowerCase();
  return opts;
}
