/** The API Lambda's environment, validated once at cold start (a bad value is a start-up error). */
import { z } from 'zod';
import { ConfigError } from '../shared/errors.js';

const schema = z.object({
  STATE_MACHINE_ARN: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/, 'a state machine ARN'),
  WORKFLOW_TYPE: z.enum(['STANDARD', 'EXPRESS']),
  API_AUTH: z.enum(['iam', 'jwt']),
  VERDICT_TABLE: z.string().min(3),
  RULESET: z.string().min(1),
  UPLOAD_BUCKET: z.string().min(3),
  UPLOAD_PREFIX: z.string().min(1),
  UPLOAD_EXPIRES_SECONDS: z.coerce.number().int().min(60).max(3600).default(300),
  FETCH_MAX_BYTES: z.coerce.number().int().min(1),
});

export type ApiConfig = z.output<typeof schema>;

export function apiConfigFromEnv(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(`The API function's environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  return parsed.data;
}
