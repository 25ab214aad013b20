/** The execution input (what the publisher sends), validated by FetchImage and by the publisher's client. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FetchImageInput, ModerationInput, PostInput } from './contracts/index.js';
import { InvalidInput } from './errors.js';

/** Caps on the post: enough for any title, a keyword list and the opening of an article; the body past MAX_TEXT_TOKENS words is not read. */
export const POST_LIMITS = { title: 300, keywords: 20, keyword: 100, text: 20_000 } as const;

export const postSchema = z.strictObject({
  title: z.string().trim().min(1, 'post.title is empty').max(POST_LIMITS.title, `post.title is longer than ${POST_LIMITS.title} characters`),
  keywords: z
    .array(z.string().trim().min(1, 'a keyword is empty').max(POST_LIMITS.keyword, `a keyword is longer than ${POST_LIMITS.keyword} characters`))
    .max(POST_LIMITS.keywords, `more than ${POST_LIMITS.keywords} keywords`)
    .optional(),
  text: z.string().max(POST_LIMITS.text, `post.text is longer than ${POST_LIMITS.text} characters`).optional(),
});

export const moderationInputSchema = z.object({
  imageUrl: z.string().min(1, 'imageUrl is empty').max(4096, 'imageUrl is longer than 4096 characters'),
  postId: z.string().max(512).optional(),
  context: z.object({ title: z.string().max(1000).optional(), keywords: z.array(z.string().max(100)).max(50).optional() }).optional(),
  reModerate: z.boolean().optional(),
  post: postSchema.optional(),
});

export function parseModerationInput(event: unknown): ModerationInput {
  const parsed = moderationInputSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(
      `Expected { imageUrl, postId?, context?, post?: { title, keywords?, text? } }: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}.`,
    );
  }
  return parsed.data;
}

/** A post on its own (the publisher client's rankImages), refused as the execution input would refuse it. */
export function parsePost(post: unknown): PostInput {
  const parsed = postSchema.safeParse(post);
  if (!parsed.success)
    throw new InvalidInput(
      `Expected a post { title, keywords?, text? }: ${parsed.error.issues.map((i) => `${['post', ...i.path].join('.')}: ${i.message}`).join('; ')}.`,
    );
  return parsed.data;
}

/** FetchImage's payload: the execution input plus the execution's name. */
export function parseFetchImageInput(event: unknown): FetchImageInput {
  const e = (typeof event === 'object' && event !== null ? event : {}) as { input?: unknown; executionName?: unknown };
  if (e.input === undefined)
    throw new InvalidInput('Expected { input: { imageUrl, postId?, context? }, executionName? } (the state machine wraps the execution input).');
  const executionName = typeof e.executionName === 'string' ? e.executionName : undefined;
  return { input: parseModerationInput(e.input), ...(executionName ? { executionName } : {}) };
}

/**
 * Step Functions names: 1-80 characters of letters, digits, "-" and "_". A readable post prefix plus a
 * sha256 of (postId, imageUrl): the same request always maps to the same name, different ones never collide.
 * `attempt` (2, 3, ...) names a re-moderation or a retry after a failure: STANDARD names stay taken for 90
 * days, so without it such a request would find the old execution and replay its verdict.
 */
export function executionName(input: Pick<ModerationInput, 'imageUrl' | 'postId'>, attempt = 1): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([input.postId ?? '', input.imageUrl]))
    .digest('hex');
  const post =
    (input.postId ?? 'image')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'image';
  const base = `${post}-${hash.slice(0, 40)}`;
  return attempt > 1 ? `${base}-${attempt}` : base;
}

/** Attempts one request may start (re-moderations, retries after failures): bounds the names tried. */
export const MAX_EXECUTION_ATTEMPTS = 100;
