/** The execution input (what the publisher sends), validated by FetchImage and by the publisher's client. */
import { z } from 'zod';
import type { ModerationInput } from './contracts.js';
import { InvalidInput } from './errors.js';

export const moderationInputSchema = z.object({
  imageUrl: z.string().min(1, 'imageUrl is empty').max(4096, 'imageUrl is longer than 4096 characters'),
  postId: z.string().max(512).optional(),
  context: z.object({ title: z.string().max(1000).optional(), keywords: z.array(z.string().max(100)).max(50).optional() }).optional(),
  reModerate: z.boolean().optional(),
});

export function parseModerationInput(event: unknown): ModerationInput {
  const parsed = moderationInputSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(`Expected { imageUrl, postId?, context? }: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}.`);
  }
  return parsed.data;
}

