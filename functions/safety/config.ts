/** CheckSafety's settings from the environment, validated once at the edge. */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../shared/env.js';
import { DEFAULT_LIMITS, maxImagePixelsEnv } from '../shared/limits.js';
import { modelStoreOptions } from '../shared/models/config.js';
import type { NsfwStoreOptions } from './nsfw-store.js';

/** The local engine's settings (the Rekognition engine is the state machine's own SDK call). */
export interface SafetyConfig {
  /** 0..100: labels below are not reported (Rekognition's MinConfidence; the same floor locally). */
  minConfidence: number;
  threads: number;
  /** MAX_IMAGE_PIXELS: the decoder refuses bigger images here too, as in FetchImage and the classifier. */
  maxPixels: number;
  /** The model every photo goes through (MobileNetV2). */
  nsfw: NsfwStoreOptions;
  /** The second opinion (InceptionV3) asked only when the first model reports something; absent: one model decides alone. */
  confirm?: NsfwStoreOptions;
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const envSchema = z.object({
  SAFETY_MIN_CONFIDENCE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'SAFETY_MIN_CONFIDENCE must be a number' })
      .min(0, 'SAFETY_MIN_CONFIDENCE must be 0..100')
      .max(100, 'SAFETY_MIN_CONFIDENCE must be 0..100')
      .optional(),
  ),
  SAFETY_THREADS: z.preprocess(blankToUndefined, z.coerce.number({ error: 'SAFETY_THREADS must be a number' }).int().min(1).max(64).optional()),
  MAX_IMAGE_PIXELS: maxImagePixelsEnv,
  NSFW_MODEL_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  NSFW_MODEL_S3_URI: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^s3:\/\/[^/]+\/.+$/, 'NSFW_MODEL_S3_URI must be s3://bucket/key')
      .optional(),
  ),
  NSFW_CONFIRM_MODEL: z.preprocess(
    blankToUndefined,
    z.enum(['nsfwjs-inception-v3', 'none'], { error: 'NSFW_CONFIRM_MODEL must be nsfwjs-inception-v3 or none' }).optional(),
  ),
  NSFW_CONFIRM_MODEL_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  NSFW_CONFIRM_MODEL_S3_URI: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^s3:\/\/[^/]+\/.+$/, 'NSFW_CONFIRM_MODEL_S3_URI must be s3://bucket/key')
      .optional(),
  ),
  NSFW_ALLOW_CONVERT: z.preprocess(blankToUndefined, z.enum(['true', 'false'], { error: 'NSFW_ALLOW_CONVERT must be true or false' }).optional()),
});

/** `defaultThreads`: when SAFETY_THREADS is unset (the local engine passes the safety model's share of the cores). */
export function safetyConfigFromEnv(env: NodeJS.ProcessEnv = process.env, defaultThreads = availableParallelism()): SafetyConfig {
  const data = parseEnv(envSchema, env, 'CheckSafety');
  const e = data;
  // The same cache directory as the classifier's models (the EFS mount in AWS, .cache/models locally).
  const cacheDir = modelStoreOptions({}, env).cacheDir;
  const allowConvert = e.NSFW_ALLOW_CONVERT !== 'false';
  const confirm = e.NSFW_CONFIRM_MODEL ?? 'nsfwjs-inception-v3';
  return {
    minConfidence: e.SAFETY_MIN_CONFIDENCE ?? 50,
    threads: e.SAFETY_THREADS ?? defaultThreads,
    maxPixels: e.MAX_IMAGE_PIXELS ?? DEFAULT_LIMITS.maxPixels,
    nsfw: {
      cacheDir,
      model: 'nsfwjs-mobilenet-v2',
      ...(e.NSFW_MODEL_PATH ? { path: path.resolve(e.NSFW_MODEL_PATH) } : {}),
      ...(e.NSFW_MODEL_S3_URI ? { s3Uri: e.NSFW_MODEL_S3_URI } : {}),
      allowConvert,
    },
    ...(confirm === 'none'
      ? {}
      : {
          confirm: {
            cacheDir,
            model: confirm,
            ...(e.NSFW_CONFIRM_MODEL_PATH ? { path: path.resolve(e.NSFW_CONFIRM_MODEL_PATH) } : {}),
            ...(e.NSFW_CONFIRM_MODEL_S3_URI ? { s3Uri: e.NSFW_CONFIRM_MODEL_S3_URI } : {}),
            allowConvert,
          },
        }),
  };
}
