import { z } from 'zod';

/**
 * Input limits shared by every step that touches image bytes, so FetchImage and the classifier refuse
 * the same things. Each is overridable by configuration at the edge (env / CLI / Pulumi config).
 */
export const DEFAULT_LIMITS = {
  /** Largest image accepted, in bytes (20 MiB). */
  maxBytes: 20 * 1024 * 1024,
  /** Largest decoded size accepted, in pixels (width * height); a 30000x30000 PNG is a bomb. */
  maxPixels: 40_000_000,
  /** Fetch timeout for the whole response, in milliseconds. */
  fetchTimeoutMs: 10_000,
  /** Redirect hops followed, each one re-checked against the address policy. */
  maxRedirects: 3,
} as const;

/** MAX_IMAGE_PIXELS, one definition for every step that decodes images (fetch, classifier, local safety). */
export const maxImagePixelsEnv = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.coerce
    .number({ error: 'MAX_IMAGE_PIXELS must be a number' })
    .int('MAX_IMAGE_PIXELS must be a whole number')
    .min(1, 'MAX_IMAGE_PIXELS must be at least 1')
    .max(1_000_000_000, 'MAX_IMAGE_PIXELS must be at most 1000000000')
    .optional(),
);
