/**
 * VerdictStep: the Lambda behind LookupVerdict, RecordVerdict, RequestReview and ReviewExpired (one
 * function, one role on one table and one topic; the action is in the payload the definition builds).
 */
import { z } from 'zod';
import type { Verdict, VerdictLookup } from '../shared/contracts.js';
import { InvalidInput } from '../shared/errors.js';
import { memoized } from '../shared/once.js';
import { moderationInputSchema } from '../shared/moderation-input.js';
import { openVerdictStore, verdictStoreConfigFromEnv } from '../shared/verdicts/index.js';
import { sfnTaskCallbacks } from '../shared/verdicts/callbacks.js';
import { expireReview, lookupVerdict, recordVerdict, requestReview, type VerdictStepDeps } from './steps.js';
import { snsNotifierFromEnv } from './notify.js';

const verdictSchema = z
  .object({
    decision: z.enum(['approve', 'review', 'reject']),
    reasons: z.array(z.object({ code: z.string(), message: z.string() }).passthrough()),
    seoTags: z.array(z.string()),
    altText: z.string(),
    labels: z.array(z.unknown()),
    moderation: z.array(z.unknown()),
    image: z
      .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) })
      .passthrough()
      .optional(),
  })
  .passthrough();
const ruleset = z.string().min(1).max(512);
const input = moderationInputSchema.passthrough();

const eventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('lookup'), ruleset, image: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).passthrough(), input }),
  z.object({ action: z.literal('record'), ruleset, verdict: verdictSchema, input }),
  z.object({
    action: z.literal('requestReview'),
    ruleset,
    verdict: verdictSchema,
    input,
    timeoutSeconds: z.number().int().positive(),
    taskToken: z.string().min(1).max(1024).optional(),
  }),
  z.object({
    action: z.literal('expireReview'),
    ruleset,
    verdict: verdictSchema,
    input,
    outcome: z.enum(['review', 'reject']),
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  }),
]);

export type VerdictStepEvent = z.input<typeof eventSchema>;

export function createVerdictStepHandler(deps: () => Promise<VerdictStepDeps>) {
  return async (event: unknown): Promise<VerdictLookup | Verdict> => {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidInput(`VerdictStep got an unexpected input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    }
    const e = parsed.data;
    const d = await deps();
    switch (e.action) {
      case 'lookup':
        return lookupVerdict(d, e.ruleset, e.image.sha256, e.input);
      case 'record':
        return recordVerdict(d, e.ruleset, e.verdict as Verdict, e.input);
      case 'requestReview':
        return requestReview(d, {
          ruleset: e.ruleset,
          verdict: e.verdict as Verdict,
          input: e.input,
          timeoutSeconds: e.timeoutSeconds,
          taskToken: e.taskToken,
        });
      case 'expireReview': {
        const out = await expireReview(d, { ruleset: e.ruleset, verdict: e.verdict as Verdict, input: e.input, outcome: e.outcome, error: e.error });
        d.metrics?.reviewExpired();
        return out;
      }
    }
  };
}

/**
 * CloudWatch embedded metric format on stdout: the alarm on reviews past their deadline reads it
 * (no PutMetricData call, no extra permission). Raw stdout, not console.log: Lambda's JSON log format
 * would wrap a console line and CloudWatch would no longer see the metric.
 */
export function emfMetrics(
  namespace: string,
  stack: string,
  write: (line: string) => void = (l) => process.stdout.write(l),
): NonNullable<VerdictStepDeps['metrics']> {
  return {
    reviewExpired() {
      const doc = {
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Stack']], Metrics: [{ Name: 'ReviewsExpired', Unit: 'Count' }] }],
        },
        Stack: stack,
        ReviewsExpired: 1,
      };
      write(`${JSON.stringify(doc)}\n`);
    },
  };
}

const lambdaDeps = new Map<string, Promise<VerdictStepDeps>>();

/** The Lambda: DynamoDB (VERDICT_TABLE), SNS (REVIEW_TOPIC_ARN), Step Functions callbacks; opened once per process. */
export const handler = createVerdictStepHandler(() =>
  memoized(lambdaDeps, 'lambda', async () => ({
    store: await openVerdictStore(verdictStoreConfigFromEnv()),
    notifier: await snsNotifierFromEnv(),
    callbacks: await sfnTaskCallbacks(),
    ...(process.env.METRICS_NAMESPACE ? { metrics: emfMetrics(process.env.METRICS_NAMESPACE, process.env.METRICS_STACK ?? 'default') } : {}),
  })),
);
