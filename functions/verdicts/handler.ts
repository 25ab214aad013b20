/**
 * VerdictStep: the Lambda behind LookupVerdict, RecordVerdict, RequestReview and ReviewExpired, and the
 * scheduled sweep that ends queued reviews past their deadline (expireDue, logged as ReviewExpired): one
 * function, one role on one table and one topic; the action is in the payload the definition (or the
 * schedule) builds. Thin: parse the payload, call the core in record.ts / request.ts / expiry.ts, count expired
 * reviews; logs, timing, errors and the cold start go through the shared entry wrapper under the state's
 * own name.
 */
import { z } from 'zod';
import { type ExpirySweep, type Verdict, type VerdictLookup } from '../shared/contracts/index.js';
import { hex64Schema, sha256Schema } from '../shared/contracts/sha256.js';
import { STATE_NAMES } from '../shared/contracts/states.js';
import { InvalidInput } from '../shared/errors.js';
import { moderationInputSchema } from '../shared/moderation-input.js';
import type { Telemetry } from '../shared/telemetry/create.js';
import { lambdaEntry, type StepCore } from '../shared/telemetry/entry.js';
import { METRICS, type StepName } from '../shared/telemetry/metric-names.js';
import { quietTelemetry } from '../shared/telemetry/process.js';
import { openVerdictStore, verdictStoreConfigFromEnv } from '../shared/verdict-store/index.js';
import { sfnTaskCallbacks } from './deliver.js';
import type { ReviewDeps } from './deps.js';
import { expireDueReviews, expireReview } from './expiry.js';
import { snsNotifierFromEnv } from './notify.js';
import { lookupVerdict, recordVerdict } from './record.js';
import { requestReview } from './request.js';

const verdictSchema = z
  .object({
    decision: z.enum(['approve', 'review', 'reject']),
    reasons: z.array(z.object({ code: z.string(), message: z.string() }).passthrough()),
    seoTags: z.array(z.string()),
    altText: z.string(),
    labels: z.array(z.unknown()),
    moderation: z.array(z.unknown()),
    image: z.object({ sha256: sha256Schema }).passthrough().optional(),
  })
  .passthrough();
const ruleset = z.string().min(1).max(512);
const perceptualHashesSchema = z.object({ pHash: hex64Schema, dHash: hex64Schema, innerPHash: hex64Schema, innerDHash: hex64Schema });
const input = moderationInputSchema.passthrough();

const eventSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('lookup'),
    ruleset,
    image: z.object({ sha256: sha256Schema, perceptualHashes: perceptualHashesSchema.optional() }).passthrough(),
    input,
  }),
  z.object({ action: z.literal('record'), ruleset, verdict: verdictSchema, input }),
  z.object({
    action: z.literal('requestReview'),
    ruleset,
    verdict: verdictSchema,
    input,
    timeoutSeconds: z.number().int().positive(),
    taskToken: z.string().min(1).max(2048).optional(), // Step Functions issues task tokens of up to 2,048 characters
  }),
  z.object({
    action: z.literal('expireReview'),
    ruleset,
    verdict: verdictSchema,
    input,
    outcome: z.enum(['review', 'reject']),
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  }),
  // The scheduled sweep (EXPRESS stacks): queued reviews past their deadline end with the outcome.
  z.object({ action: z.literal('expireDue'), outcome: z.enum(['review', 'reject']), limit: z.number().int().min(1).max(1000).optional() }),
]);

export type VerdictStepEvent = z.input<typeof eventSchema>;

/** The state each action runs as: the `step` of its logs and metrics. */
const STEP_OF_ACTION: Record<VerdictStepEvent['action'], StepName> = {
  lookup: STATE_NAMES.lookup,
  record: STATE_NAMES.record,
  requestReview: STATE_NAMES.requestReview,
  expireReview: STATE_NAMES.reviewExpired,
  // The sweep ends queued reviews as ReviewExpired ends a waiting one.
  expireDue: STATE_NAMES.reviewExpired,
};

/** Read before parsing (the wrapper names the step first); a payload without a known action is logged under LookupVerdict and then refused by the parser. */
export function verdictStepOf(event: unknown): StepName {
  const action = (event as { action?: unknown } | null)?.action;
  return typeof action === 'string' && Object.hasOwn(STEP_OF_ACTION, action) ? STEP_OF_ACTION[action as VerdictStepEvent['action']] : STATE_NAMES.lookup;
}

export function createVerdictStepHandler(deps: ReviewDeps): StepCore<VerdictLookup | Verdict | ExpirySweep> {
  return async (event: unknown, t: Telemetry = quietTelemetry()): Promise<VerdictLookup | Verdict | ExpirySweep> => {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidInput(`VerdictStep got an unexpected input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    }
    const e = parsed.data;
    switch (e.action) {
      case 'lookup':
        return lookupVerdict(deps, e.ruleset, e.image, e.input);
      case 'record':
        return recordVerdict(deps, e.ruleset, e.verdict as Verdict, e.input);
      case 'requestReview':
        return requestReview(deps, {
          ruleset: e.ruleset,
          verdict: e.verdict as Verdict,
          input: e.input,
          timeoutSeconds: e.timeoutSeconds,
          taskToken: e.taskToken,
        });
      case 'expireReview': {
        const { verdict: out, expiredNow } = await expireReview(deps, {
          ruleset: e.ruleset,
          verdict: e.verdict as Verdict,
          input: e.input,
          outcome: e.outcome,
          error: e.error,
        });
        // The alarm on undecided reviews reads this (infra/review.ts): EMF through the wrapper, no PutMetricData.
        // Counted once per review: a retried ReviewExpired, or one the sweep beat, ended nothing.
        if (expiredNow) {
          t.count(METRICS.reviewsExpired, {});
          t.logger.warn('review expired undecided', { reviewId: out.reviewId, decision: out.decision });
        }
        return out;
      }
      case 'expireDue': {
        const sweep = await expireDueReviews(deps, { outcome: e.outcome, ...(e.limit ? { limit: e.limit } : {}) });
        if (sweep.expired.length) {
          t.count(METRICS.reviewsExpired, {}, sweep.expired.length);
          t.logger.warn('queued reviews expired undecided', { reviews: sweep.expired.map((x) => x.reviewId), decision: e.outcome });
        }
        if (sweep.more) t.logger.warn('more reviews are due than one sweep ends; the next run continues', { limit: e.limit });
        return sweep;
      }
    }
  };
}

/** The Lambda: DynamoDB (VERDICT_TABLE), SNS (REVIEW_TOPIC_ARN), Step Functions callbacks; opened once per process. */
export const handler = lambdaEntry(verdictStepOf, async () =>
  createVerdictStepHandler({
    store: await openVerdictStore(verdictStoreConfigFromEnv()),
    notifier: await snsNotifierFromEnv(),
    callbacks: await sfnTaskCallbacks(),
  }),
);
