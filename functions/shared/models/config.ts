/** The model store's settings: the environment validated once (zod), then typed overrides from the caller. */
import path from 'node:path';
import { z } from 'zod';
import { sha256AnyCaseSchema } from '../contracts/sha256.js';
import { parseEnv } from '../env.js';
import { projectRoot } from '../project.js';
import type { ModelStoreOptions } from './store.js';

const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), schema.optional());

const envSchema = z.object({
  MODEL_NAME: optional(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a catalog model name such as resnet50-v1-12-int8')),
  MODEL_PATH: optional(z.string()),
  MODEL_CACHE_DIR: optional(z.string()),
  MODEL_MIRROR: optional(z.string()),
  MODEL_S3_URI: optional(z.string().regex(/^s3:\/\/[^/]+\/.+$/, 'expected s3://bucket/key')),
  MODEL_SHA256: optional(sha256AnyCaseSchema),
  MODEL_ALLOW_DOWNLOAD: optional(z.string().regex(/^(true|false|1|0|yes|no)$/i, 'expected true or false')),
});

/**
 * The model store's settings: what the environment says (MODEL_*; the Lambda's configuration), with the
 * caller's typed values on top (a CLI flag, a stack setting, a benchmark's model). Overrides that are
 * undefined leave the environment's value alone. The cache defaults to <project>/.cache/models (the
 * Lambdas set MODEL_CACHE_DIR: the EFS mount, /tmp).
 */
export function modelStoreOptions(overrides: Partial<ModelStoreOptions> = {}, env: NodeJS.ProcessEnv = process.env): ModelStoreOptions {
  const e = parseEnv(envSchema, env, 'model');
  const opts: ModelStoreOptions = {
    cacheDir: e.MODEL_CACHE_DIR ? path.resolve(e.MODEL_CACHE_DIR) : path.join(projectRoot, '.cache/models'),
    allowDownload: e.MODEL_ALLOW_DOWNLOAD === undefined ? true : /^(true|1|yes)$/i.test(e.MODEL_ALLOW_DOWNLOAD),
  };
  if (e.MODEL_NAME) opts.name = e.MODEL_NAME;
  if (e.MODEL_PATH) opts.path = path.resolve(e.MODEL_PATH);
  if (e.MODEL_MIRROR) opts.mirrorDir = path.resolve(e.MODEL_MIRROR);
  if (e.MODEL_S3_URI) opts.s3Uri = e.MODEL_S3_URI;
  if (e.MODEL_SHA256) opts.sha256 = e.MODEL_SHA256;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v;
  if (overrides.cacheDir) opts.cacheDir = path.resolve(overrides.cacheDir);
  if (overrides.mirrorDir) opts.mirrorDir = path.resolve(overrides.mirrorDir);
  return opts;
}
