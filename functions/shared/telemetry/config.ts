/** Logging, metrics and tracing settings from the environment, validated once (zod). */
import { z } from 'zod';
import { parseEnv } from '../env.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The stack's defaults (infra/config.ts sets the same values on every function). */
export const DEFAULT_METRICS_NAMESPACE = 'BlogImageModeration';
export const DEFAULT_SERVICE_NAME = 'image-moderation';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const level = (name: string) =>
  z.preprocess(
    (v) => (typeof blank(v) === 'string' ? (blank(v) as string).toUpperCase() : blank(v)),
    z.enum(LOG_LEVELS, { error: `${name} must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  );

const envSchema = z.object({
  POWERTOOLS_LOG_LEVEL: level('POWERTOOLS_LOG_LEVEL'),
  LOG_LEVEL: level('LOG_LEVEL'),
  POWERTOOLS_SERVICE_NAME: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'POWERTOOLS_SERVICE_NAME: letters, digits, . _ - only')
      .optional(),
  ),
  POWERTOOLS_METRICS_NAMESPACE: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'POWERTOOLS_METRICS_NAMESPACE: a CloudWatch namespace')
      .optional(),
  ),
  AWS_LAMBDA_FUNCTION_NAME: z.preprocess(blank, z.string().optional()),
});

export interface TelemetryConfig {
  service: string;
  namespace: string;
  logLevel: LogLevelName;
  /** X-Ray subsegments: only inside a Lambda with active tracing. */
  tracing: boolean;
  /** The Lambda's name (the cold-start metric's dimension); absent locally. */
  functionName?: string;
}

/** POWERTOOLS_LOG_LEVEL wins over LOG_LEVEL (Powertools' own order); INFO when neither is set. */
export function telemetryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const e = parseEnv(envSchema, env, 'logging and metrics');
  return {
    service: e.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME,
    namespace: e.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE,
    logLevel: e.POWERTOOLS_LOG_LEVEL ?? e.LOG_LEVEL ?? 'INFO',
    tracing: e.AWS_LAMBDA_FUNCTION_NAME !== undefined,
    ...(e.AWS_LAMBDA_FUNCTION_NAME ? { functionName: e.AWS_LAMBDA_FUNCTION_NAME } : {}),
  };
}
