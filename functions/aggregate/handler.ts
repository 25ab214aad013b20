/** AggregateVerdict: the Lambda entry and its factory. Validates the shape, then the pure core decides. */
import { z } from 'zod';
import type { AggregateInput, Verdict } from '../shared/contracts/index.js';
import { InvalidInput } from '../shared/errors.js';
import type { Telemetry } from '../shared/telemetry/create.js';
import { lambdaEntry, type StepCore } from '../shared/telemetry/entry.js';
import { METRICS } from '../shared/telemetry/metric-names.js';
import { quietTelemetry } from '../shared/telemetry/process.js';
import { policyFromEnv, type ModerationPolicy } from './policy.js';
import { buildVerdict } from './verdict.js';

const eventSchema = z.object({
  // Lenient on the publisher's input: on the fail-safe path it may be exactly what was invalid.
  input: z.object({ imageUrl: z.unknown().optional(), postId: z.string().optional() }).passthrough(),
  // null on the fail-safe path when FetchImage failed (nothing was staged).
  image: z.object({ key: z.string(), sha256: z.string() }).passthrough().nullish(),
  classification: z
    .object({ labels: z.array(z.object({ label: z.string(), wnid: z.string(), score: z.number() })) })
    .passthrough()
    .optional(),
  safety: z
    .object({ engine: z.enum(['rekognition', 'local']) })
    .passthrough()
    .optional(),
  error: z.object({ Error: z.string(), Cause: z.string().optional(), state: z.string().optional() }).optional(),
});

export function parseAggregateInput(event: unknown): AggregateInput {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(`AggregateVerdict got an unexpected input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  const { image, ...rest } = event as AggregateInput & { image?: AggregateInput['image'] | null };
  return image ? { ...rest, image } : rest;
}

/** Decisions by outcome, and each review or reject reason by category and by what found it (classifier, engine, a failed step). */
export function countDecision(verdict: Verdict, t: Telemetry): void {
  t.count(METRICS.decisions, { decision: verdict.decision });
  if (verdict.decision === 'approve') return;
  for (const r of verdict.reasons) {
    const category = r.category ?? r.error ?? r.code;
    const source = r.source ?? (r.error ? 'step-error' : 'policy');
    t.count(METRICS.decisionReasons, { decision: verdict.decision, category, source });
  }
}

export function createAggregateHandler(deps: { policy?: ModerationPolicy } = {}): StepCore<Verdict> {
  const policy = deps.policy ?? policyFromEnv();
  return async (event: unknown, t: Telemetry = quietTelemetry()): Promise<Verdict> => {
    const verdict = buildVerdict(parseAggregateInput(event), policy);
    countDecision(verdict, t);
    t.logger.info(`verdict ${verdict.decision}`, { decision: verdict.decision, reasons: verdict.reasons.map((r) => r.category ?? r.error ?? r.code) });
    return verdict;
  };
}

export const handler = lambdaEntry('AggregateVerdict', () => createAggregateHandler());
