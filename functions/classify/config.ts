/** The classifier's settings from the environment, validated once at the edge. */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseEnv } from '../shared/env.js';
import { DEFAULT_LIMITS, maxImagePixelsEnv } from '../shared/limits.js';

const positiveInt = (name: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce
      .number({ error: `${name} must be a number` })
      .int(`${name} must be a whole number`)
      .min(1, `${name} must be at least 1`)
      .max(max, `${name} must be at most ${max}`)
      .optional(),
  );

const envSchema = z.object({
  CLASSIFIER_THREADS: positiveInt('CLASSIFIER_THREADS', 64),
  MAX_IMAGE_PIXELS: maxImagePixelsEnv,
});

export interface ClassifierConfig {
  threads: number;
  maxPixels: number;
}

/** `defaultThreads`: when CLASSIFIER_THREADS is unset (the local engine passes the classifier's share of the cores). */
export function classifierConfigFromEnv(env: NodeJS.ProcessEnv = process.env, defaultThreads = availableParallelism()): ClassifierConfig {
  const data = parseEnv(envSchema, env, 'classifier');
  return {
    // A Lambda's vCPU count follows its memory size; availableParallelism() reads what it really got.
    threads: data.CLASSIFIER_THREADS ?? defaultThreads,
    maxPixels: data.MAX_IMAGE_PIXELS ?? DEFAULT_LIMITS.maxPixels,
  };
}
