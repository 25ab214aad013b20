/** The input of both analysis steps (ClassifyImage, CheckSafety): the staged image pointer, validated. */
import { z } from 'zod';
import { IMAGE_FORMATS, type AnalyzeInput } from './contracts/index.js';
import { sha256Schema } from './contracts/sha256.js';
import { InvalidInput } from './errors.js';

const pointer = {
  uri: z.string().min(1),
  bucket: z.string().min(1).optional(),
  key: z.string().min(1),
  sha256: sha256Schema,
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
};

const analyzeInputSchema = z.object({
  image: z.object({
    ...pointer,
    format: z.enum(IMAGE_FORMATS),
    frames: z.number().int().positive().optional(),
    checks: z
      .array(
        z.object({
          ...pointer,
          format: z.enum(['jpeg', 'png']),
          frame: z.number().int().positive().optional(),
          background: z.enum(['light', 'dark']).optional(),
        }),
      )
      .min(1)
      .optional(),
  }),
});

export function parseAnalyzeInput(event: unknown): AnalyzeInput {
  const parsed = analyzeInputSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(
      `Expected { image: StagedImage } from FetchImage: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  }
  return parsed.data;
}
