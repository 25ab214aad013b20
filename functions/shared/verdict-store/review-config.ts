/**
 * How long a review waits for a person and what it ends as when nobody decides: one schema for the
 * stack (Pulumi config reviewTimeoutSeconds / reviewTimeoutOutcome / reviewSweepMinutes, infra/config.ts)
 * and for local runs (REVIEW_TIMEOUT_SECONDS / REVIEW_TIMEOUT_OUTCOME), so both have the same defaults
 * and limits.
 */
import { z } from 'zod';
import type { ReviewTimeoutOutcome } from '../contracts/index.js';
import { parseEnv } from '../env.js';

/** A day for a person to look; the photo is not published meanwhile. */
export const DEFAULT_REVIEW_TIMEOUT_SECONDS = 86_400;
/** How often a deployed stack's sweep ends reviews past their deadline (a queued one at most this late). */
export const DEFAULT_REVIEW_SWEEP_MINUTES = 15;

export const reviewTimeoutSecondsSchema = z.coerce
  .number()
  .int()
  .min(60, 'the review timeout must be at least 60 seconds')
  // STANDARD executions last at most a year; a review must end well inside that.
  .max(364 * 86_400, 'the review timeout must be under 364 days')
  .default(DEFAULT_REVIEW_TIMEOUT_SECONDS);

export const reviewTimeoutOutcomeSchema = z
  .enum(['review', 'reject'], { error: 'the review timeout outcome must be review or reject (never approve)' })
  .default('review');

export const reviewSweepMinutesSchema = z.coerce
  .number()
  .int()
  .min(1, 'the review sweep runs at most once a minute')
  .max(1440, 'the review sweep runs at least once a day')
  .default(DEFAULT_REVIEW_SWEEP_MINUTES);

export interface ReviewTimeout {
  timeoutSeconds: number;
  timeoutOutcome: ReviewTimeoutOutcome;
}

const envSchema = z.object({
  REVIEW_TIMEOUT_SECONDS: z.preprocess((v) => (v === '' ? undefined : v), reviewTimeoutSecondsSchema),
  REVIEW_TIMEOUT_OUTCOME: z.preprocess((v) => (v === '' ? undefined : v), reviewTimeoutOutcomeSchema),
});

/** Local runs (`npm start`, `npm run review`, the console): the deadline and outcome of queued reviews. */
export function reviewTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): ReviewTimeout {
  const e = parseEnv(envSchema, env, 'review');
  return { timeoutSeconds: e.REVIEW_TIMEOUT_SECONDS, timeoutOutcome: e.REVIEW_TIMEOUT_OUTCOME };
}
