/** FetchImage's settings, validated once at the edge (env in the Lambda, options locally). */
import { z } from 'zod';
import { parseEnv } from '../shared/env.js';
import { DEFAULT_LIMITS, maxImagePixelsEnv } from '../shared/limits.js';
import { validateCidrs } from './guard.js';

export interface FetchConfig {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  maxPixels: number;
  /** Frames x width x height, for all frames of an animation together. */
  maxAnimationPixels: number;
  /** Distinct frames (or pages) checked at most, sampled evenly. */
  maxCheckedFrames: number;
  /** Longer side over shorter side. */
  maxAspectRatio: number;
  /** Host names fetched even when they resolve to non-public addresses (tests, an internal CDN). */
  allowHosts: string[];
  allowCidrs: string[];
  /** Local paths and file:// URLs: the CLI only, never the Lambda. */
  allowLocalFiles: boolean;
}

export const DEFAULT_FETCH_CONFIG: FetchConfig = {
  maxBytes: DEFAULT_LIMITS.maxBytes,
  timeoutMs: DEFAULT_LIMITS.fetchTimeoutMs,
  maxRedirects: DEFAULT_LIMITS.maxRedirects,
  maxPixels: DEFAULT_LIMITS.maxPixels,
  maxAnimationPixels: DEFAULT_LIMITS.maxAnimationPixels,
  maxCheckedFrames: DEFAULT_LIMITS.maxCheckedFrames,
  maxAspectRatio: DEFAULT_LIMITS.maxAspectRatio,
  allowHosts: [],
  allowCidrs: [],
  allowLocalFiles: false,
};

/** Defaults filled in and allow-list entries validated. */
export function fetchConfig(partial: Partial<FetchConfig> = {}): FetchConfig {
  const cfg = { ...DEFAULT_FETCH_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  validateCidrs(cfg.allowCidrs);
  return cfg;
}

const int = (name: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce
      .number({ error: `${name} must be a number` })
      .int(`${name} must be a whole number`)
      .min(min, `${name} must be at least ${min}`)
      .max(max, `${name} must be at most ${max}`)
      .optional(),
  );
const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  FETCH_MAX_BYTES: int('FETCH_MAX_BYTES', 1, 200 * 1024 * 1024),
  FETCH_TIMEOUT_MS: int('FETCH_TIMEOUT_MS', 100, 120_000),
  FETCH_MAX_REDIRECTS: int('FETCH_MAX_REDIRECTS', 0, 10),
  MAX_IMAGE_PIXELS: maxImagePixelsEnv,
  MAX_ANIMATION_PIXELS: int('MAX_ANIMATION_PIXELS', 1, 10_000_000_000),
  MAX_CHECKED_FRAMES: int('MAX_CHECKED_FRAMES', 1, 100),
  FETCH_ALLOW_HOSTS: list,
  FETCH_ALLOW_CIDRS: list,
});

/** The Lambda's configuration: local files are never allowed there. */
export function fetchConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FetchConfig {
  const data = parseEnv(envSchema, env, 'FetchImage');
  const e = data;
  return fetchConfig({
    maxBytes: e.FETCH_MAX_BYTES,
    timeoutMs: e.FETCH_TIMEOUT_MS,
    maxRedirects: e.FETCH_MAX_REDIRECTS,
    maxPixels: e.MAX_IMAGE_PIXELS,
    maxAnimationPixels: e.MAX_ANIMATION_PIXELS,
    maxCheckedFrames: e.MAX_CHECKED_FRAMES,
    allowHosts: e.FETCH_ALLOW_HOSTS,
    allowCidrs: e.FETCH_ALLOW_CIDRS,
    allowLocalFiles: false,
  });
}
