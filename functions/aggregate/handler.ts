/** AggregateVerdict: the Lambda entry and its factory. Validates the shape, then the pure core decides. */
import { z } from 'zod';
import type { AggregateInput, Verdict } from '../shared/contracts.js';
import { InvalidInput } from '../shared/errors.js';
import { policyFromEnv, type ModerationPolicy } from './policy.js';
import { buildVerdict } from './verdict.js';

const eventSchema = z.object({
  // Lenient on the publisher's input: on the fail-safe path it may be exactly what was invalid.
  input: z.object({ imageUrl: z.unknown().optional(), postId: z.string().optional() }).passthrough(),
  image: z.object({ key: z.string(), sha256: z.string() }).passthrough().optional(),
  classification: z.object({ labels: z.array(z.object({ label: z.string(), wnid: z.string(), score: z.number() })) }).passthrough().optional(),
  safety: z.object({ engine: z.enum(['rekognition', 'local']) }).passthrough().optional(),
  error: z.object({ Error: z.string(), Cause: z.string().optional(), state: z.string().optional() }).optional(),
});

export function parseAggregateInput(event: unknown): AggregateInput {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(`AggregateVerdict got an unexpected input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  return event as AggregateInput;
}

export function createAggregateHandler(deps: { policy?: ModerationPolicy } = {}) {
  const policy = deps.policy ?? policyFromEnv();
  return async (event: AggregateInput): Promise<Verdict> => buildVerdict(parseAggregateInput(event), policy);
}

let lambdaHandler: ReturnType<typeof createAggregateHandler> | undefined;

export const handler = (event: AggregateInput): Promise<Verdict> => {
  lambdaHandler ??= createAggregateHandler();
  return lambdaHandler(event);
};
