/**
 * The policy's quality section: the review band of each quality measure, the blog's minimum size, and
 * which issue kinds (if any) may reject. Defaults calibrated with eval/quality/calibrate.ts on the DEV
 * half of the labelled photos and their degraded copies; rates on the held-out half are in the README.
 */
import { z } from 'zod';
import { QUALITY_KINDS, type QualityKind } from '../shared/contracts/index.js';

/** Measures reviewed when below their band. */
export const BELOW_MEASURES = ['sharpness', 'highlights', 'brightness', 'contrast', 'tonalRange', 'jpegQuality'] as const;
/** Measures reviewed when above their band. */
export const ABOVE_MEASURES = ['shadows', 'clippedHighlights', 'noise', 'chromaNoise', 'impulseNoise', 'blockiness', 'reducedBlockiness'] as const;
export type BandedMeasure = (typeof BELOW_MEASURES)[number] | (typeof ABOVE_MEASURES)[number];

export interface QualityPolicy {
  /** Kinds that reject instead of holding for review. Default none: a human decides. */
  reject: QualityKind[];
  /** The blog's minimum size: the long side, the width, and the pixel count (0 = no minimum). */
  minLongSide: number;
  minWidth: number;
  minPixels: number;
  /** Per measure, the value past which the image is held (below for BELOW_MEASURES, above for the others). */
  review: Record<BandedMeasure, number>;
}

export const DEFAULT_QUALITY_POLICY: QualityPolicy = {
  reject: [],
  minLongSide: 400,
  minWidth: 0,
  minPixels: 50_000,
  review: {
    sharpness: 0.62,
    highlights: 0.55,
    brightness: 0.08,
    contrast: 0.04,
    tonalRange: 0.3,
    jpegQuality: 25,
    shadows: 0.5,
    clippedHighlights: 0.55,
    noise: 7,
    chromaNoise: 15,
    impulseNoise: 0.012,
    blockiness: 1.8,
    reducedBlockiness: 1.5,
  },
};

const reviewSchema = z
  .object({
    sharpness: z.number().min(0).max(1),
    highlights: z.number().min(0).max(1),
    brightness: z.number().min(0).max(1),
    contrast: z.number().min(0).max(1),
    tonalRange: z.number().min(0).max(1),
    jpegQuality: z.number().min(0).max(100),
    shadows: z.number().min(0).max(1),
    clippedHighlights: z.number().min(0).max(1),
    noise: z.number().min(0).max(255),
    chromaNoise: z.number().min(0).max(255),
    impulseNoise: z.number().min(0).max(1),
    blockiness: z.number().min(1),
    reducedBlockiness: z.number().min(1),
  })
  .partial()
  .strict();

export const qualityOverrideSchema = z
  .object({
    reject: z.array(z.enum(QUALITY_KINDS)).optional(),
    minLongSide: z.number().int().min(0).optional(),
    minWidth: z.number().int().min(0).optional(),
    minPixels: z.number().int().min(0).optional(),
    review: reviewSchema.optional(),
  })
  .strict()
  .optional();

export function mergeQualityPolicy(o: z.infer<typeof qualityOverrideSchema>): QualityPolicy {
  if (!o) return DEFAULT_QUALITY_POLICY;
  const d = DEFAULT_QUALITY_POLICY;
  return {
    reject: o.reject ?? d.reject,
    minLongSide: o.minLongSide ?? d.minLongSide,
    minWidth: o.minWidth ?? d.minWidth,
    minPixels: o.minPixels ?? d.minPixels,
    review: { ...d.review, ...o.review },
  };
}
