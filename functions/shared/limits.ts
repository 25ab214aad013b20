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
  /**
   * Every frame of an animation is decoded to find the distinct ones, so the budget is frames x width x
   * height: a 600-frame 2000 x 2000 GIF (2.4 gigapixels in a few KB) is refused from its header.
   */
  maxAnimationPixels: 500_000_000,
  /** Distinct frames (or pages) checked at most, sampled evenly across the animation. */
  maxCheckedFrames: 10,
  /** Longer side over shorter side: beyond it no engine sees a picture (Rekognition's own sides allow 125). */
  maxAspectRatio: 125,
} as const;

/**
 * What DetectModerationLabels accepts (Rekognition Developer Guide, "Guidelines and quotas"): JPEG or
 * PNG, at most 5 MB as bytes and 15 MB as an S3 object, each side 80 to 10,000 pixels. Anything else
 * fails with InvalidImageFormatException, ImageTooLargeException or InvalidParameterException. FetchImage
 * stages a derivative within these; the local adapter and the test stand-in refuse the rest.
 */
export const REKOGNITION_IMAGE_LIMITS = {
  formats: ['jpeg', 'png'] as readonly string[],
  maxBytes: 5 * 1024 * 1024,
  maxS3Bytes: 15 * 1024 * 1024,
  minSide: 80,
  maxSide: 10_000,
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
