/**
 * The stack's configuration: typed, documented and validated once (zod), from Pulumi config. Every key
 * is under the project namespace `blog-image-moderation:` (see Pulumi.dev.yaml); the region is `aws:region`.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { parsePolicy, type ModerationPolicy } from '../functions/aggregate/policy.js';
import { ConfigError } from '../functions/shared/errors.js';
import { DEFAULT_DEPLOYED_MODEL, findCatalogEntry } from '../functions/shared/models/catalog.js';
import { isTimingOnly } from '../functions/shared/models/manifest.js';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../functions/shared/telemetry/config.js';
import { reviewSweepMinutesSchema, reviewTimeoutOutcomeSchema, reviewTimeoutSecondsSchema } from '../functions/shared/verdict-store/review-config.js';
import { checkRuntime, DEFAULT_LAMBDA_RUNTIME, type LambdaNodeRuntime } from './build/runtime.js';

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const DAY = '(MON|TUE|WED|THU|FRI|SAT|SUN)';
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** One peak window of warm classifier instances (infra/provisioned-concurrency.ts). */
const peakWindow = z
  .object({
    /** Application Auto Scaling day-of-week field: MON-FRI, SAT,SUN, MON. */
    days: z.string().regex(new RegExp(`^${DAY}([-,]${DAY})*$`), 'days must be like MON-FRI or SAT,SUN'),
    start: z.string().regex(HHMM, 'start must be HH:MM (24 h)'),
    end: z.string().regex(HHMM, 'end must be HH:MM (24 h)'),
    timezone: z.string().refine(isTimeZone, 'timezone must be an IANA time zone such as Europe/Paris').default('UTC'),
    concurrency: z.coerce.number().int().min(1, 'concurrency must be at least 1').max(1000),
  })
  .strict()
  .refine((w) => w.end > w.start, 'end must be after start on the same day (split a window that crosses midnight in two)');

export type PeakWindow = z.output<typeof peakWindow>;

/** Pulumi config gives a structured value as an object, `npm run plan -- --config k=...` as JSON text. */
const jsonText = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

const schema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'aws:region must look like us-east-1'),
    /** A catalog model with real weights (models/catalog.json). */
    modelName: z.string().default(DEFAULT_DEPLOYED_MODEL),
    classifierMemoryMb: z.coerce
      .number()
      .int()
      .min(512, 'classifierMemoryMb must be at least 512')
      .max(10240, 'classifierMemoryMb must be at most 10240')
      .default(2048),
    /** Every function's architecture (the image is built for it, the zip functions run on it). */
    architecture: z.enum(['x86_64', 'arm64'], { error: 'architecture must be x86_64 or arm64' }).default('x86_64'),
    /** Caps the classifier's and fetch-image's concurrency (and so EFS reads and cost under a burst). 0 would disable them: refused. */
    reservedConcurrency: z.coerce.number().int().min(1, 'reservedConcurrency must be at least 1').max(1000).default(20),
    /** Warm classifier instances on the `live` alias at all times (0 = none, the default: you pay only per request). */
    classifierProvisionedConcurrency: z.coerce.number().int().min(0, 'classifierProvisionedConcurrency must be at least 0').max(1000).default(0),
    /** Peak windows with more warm instances; outside them, classifierProvisionedConcurrency. */
    provisionedConcurrencySchedule: z
      .preprocess(jsonText, z.array(peakWindow, { error: 'provisionedConcurrencySchedule must be a list of windows' }).max(10))
      .default([]),
    /** A monthly cost budget for this stack's resources, notifying the alarm topic (0 = none, the default). */
    monthlyBudgetUsd: z.coerce.number().min(0, 'monthlyBudgetUsd must be at least 0').max(1_000_000).default(0),
    safetyEngine: z.enum(['rekognition', 'local'], { error: 'safetyEngine must be rekognition or local' }).default('rekognition'),
    /** Rekognition's MinConfidence (and the local engine's floor). */
    safetyMinConfidence: z.coerce.number().min(0).max(100).default(50),
    /** The moderation policy: partial overrides of functions/aggregate/policy.ts's defaults, as an object (MODERATION_POLICY). */
    moderationPolicy: z.preprocess(jsonText, z.record(z.string(), z.unknown(), { error: 'moderationPolicy must be a map (YAML) or JSON object' })).optional(),
    workflowType: z.enum(['STANDARD', 'EXPRESS'], { error: 'workflowType must be STANDARD or EXPRESS' }).default('STANDARD'),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'logLevel must be DEBUG, INFO, WARN or ERROR' }).default('INFO'),
    /** CloudWatch namespace of the functions' custom metrics (EMF); the dashboard and alarms read it. */
    metricsNamespace: z
      .string()
      .regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'metricsNamespace must be a CloudWatch namespace')
      .default(DEFAULT_METRICS_NAMESPACE),
    /** Alarm when more than this share of images (percent) ends in review, or in reject, within an hour... */
    reviewRateAlarmPercent: z.coerce.number().min(1).max(100).default(30),
    rejectRateAlarmPercent: z.coerce.number().min(1).max(100).default(10),
    /** ...of at least this many images (fewer is noise, not an incident). */
    alarmMinDecisions: z.coerce.number().int().min(1).default(20),
    /** The `service` dimension of every metric and log line (default: stackServiceName(stack)). */
    serviceName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'serviceName: letters, digits, . _ - only')
      .default(DEFAULT_SERVICE_NAME),
    logRetentionDays: z.coerce
      .number()
      .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `logRetentionDays must be one of ${RETENTION_DAYS.join(', ')}`)
      .default(14),
    /** Staged images are deleted after this many days. */
    stagingExpirationDays: z.coerce.number().int().min(1).max(365).default(1),
    /** elastic: no burst credits to exhaust when many cold starts read the model at once (docs/decisions.md, "Infrastructure"). */
    efsThroughputMode: z.enum(['elastic', 'bursting'], { error: 'efsThroughputMode must be elastic or bursting' }).default('elastic'),
    // Not z.coerce.boolean(): Pulumi config values are strings, and Boolean('false') is true.
    efsBackups: z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.stringbool({ error: 'efsBackups must be true or false' })).default(false),
    /** Moderators' email for new reviews (SNS asks the address to confirm once). Absent: subscribe later. */
    reviewEmail: z.email('reviewEmail must be an email address').optional(),
    /** How long a review waits for a moderator: the STANDARD review task's TimeoutSeconds, a queued review's deadline. */
    reviewTimeoutSeconds: reviewTimeoutSecondsSchema,
    /** The review task's HeartbeatSeconds (default: the timeout; lower it only if something sends heartbeats). */
    reviewHeartbeatSeconds: z.coerce.number().int().min(60).optional(),
    /** What an undecided review ends as: review (not published, decided later) or reject. Never approve. */
    reviewTimeoutOutcome: reviewTimeoutOutcomeSchema,
    /** How often the scheduled sweep ends reviews past their deadline (EXPRESS: queued ones; STANDARD: a stopped execution's). */
    reviewSweepMinutes: reviewSweepMinutesSchema,
    /** Every function's Node.js runtime (zip runtime and image base), checked by date in infra/build/runtime.ts. */
    lambdaRuntime: z.string().default(DEFAULT_LAMBDA_RUNTIME),
    /** The publishers' HTTP API (infra/http-api.ts). */
    httpApi: z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.stringbool({ error: 'httpApi must be true or false' })).default(true),
    /** iam (SigV4, execute-api:Invoke from the publisher policy) or jwt (an issuer's tokens) on every route. */
    httpApiAuth: z.enum(['iam', 'jwt'], { error: 'httpApiAuth must be iam or jwt' }).default('iam'),
    httpApiJwtIssuer: z.url({ protocol: /^https$/, error: 'httpApiJwtIssuer must be an https:// issuer URL' }).optional(),
    httpApiJwtAudience: z.array(z.string().min(1)).min(1, 'httpApiJwtAudience needs at least one audience').optional(),
    /** Browser origins allowed to call the API (CORS); none by default, so no browser page can. */
    httpApiCorsOrigins: z.array(z.url({ protocol: /^https?$/, error: 'httpApiCorsOrigins must be http(s) origins' })).default([]),
    /** Each route's steady request rate (per second) and burst: one publisher's loop cannot run up the bill. */
    httpApiRateLimit: z.coerce.number().min(1).max(10000).default(20),
    httpApiBurstLimit: z.coerce.number().int().min(1).max(5000).default(40),
  })
  .strict()
  .refine((c) => c.httpApiAuth !== 'jwt' || (c.httpApiJwtIssuer && c.httpApiJwtAudience), {
    message: 'httpApiAuth jwt needs httpApiJwtIssuer and httpApiJwtAudience',
    path: ['httpApiAuth'],
  })
  // Provisioned concurrency comes out of the reserved concurrency: more could never be allocated.
  .refine((c) => c.classifierProvisionedConcurrency <= c.reservedConcurrency, {
    path: ['classifierProvisionedConcurrency'],
    message: 'classifierProvisionedConcurrency must not exceed reservedConcurrency',
  })
  .refine((c) => c.provisionedConcurrencySchedule.every((w) => w.concurrency <= c.reservedConcurrency), {
    path: ['provisionedConcurrencySchedule'],
    message: "a window's concurrency must not exceed reservedConcurrency",
  });

export interface StackConfig extends Omit<z.output<typeof schema>, 'moderationPolicy' | 'lambdaRuntime'> {
  runtime: LambdaNodeRuntime;
  /** Set within 180 days of the runtime's deprecation: `npm run plan` and `pulumi up` print it. */
  runtimeWarning?: string;
  moderationPolicy: ModerationPolicy;
  /** The JSON the aggregate function reads (MODERATION_POLICY), "" for the defaults. */
  moderationPolicyJson: string;
}

/**
 * Keys renamed to what they set, and their new names. An old key is refused rather than read: left in a
 * stack file under a name nothing reads, it would deploy the default silently.
 */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  classifierArchitecture: 'architecture',
  thresholds: 'moderationPolicy',
};

function refuseRenamedKeys(raw: Record<string, unknown>): void {
  const found = Object.entries(RENAMED_KEYS).filter(([old]) => raw[old] !== undefined);
  if (found.length === 0) return;
  const problems = found.map(
    ([old, now]) => `${old} was renamed ${now}: rename blog-image-moderation:${old} to blog-image-moderation:${now} in Pulumi.<stack>.yaml`,
  );
  throw new ConfigError(`Invalid stack configuration: ${problems.join('; ')}.`);
}

/**
 * Pure: raw values (as Pulumi config gives them) → the validated configuration, or a ConfigError naming
 * the key. `today` decides whether the runtime may still be deployed.
 */
export function parseStackConfig(raw: Record<string, unknown>, today: Date = new Date()): StackConfig {
  refuseRenamedKeys(raw);
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid stack configuration: ${problems}. See Pulumi.dev.yaml for every key.`);
  }
  const { moderationPolicy: overrides, lambdaRuntime, ...c } = parsed.data;
  const { runtime, warning: runtimeWarning } = checkRuntime(lambdaRuntime, today);
  const entry = findCatalogEntry(c.modelName);
  if (!entry) throw new ConfigError(`Invalid stack configuration: modelName ${JSON.stringify(c.modelName)} is not in models/catalog.json.`);
  if (isTimingOnly(entry))
    throw new ConfigError(`Invalid stack configuration: modelName ${c.modelName} has random weights (timing only); deploy a real model.`);
  const moderationPolicyJson = overrides ? JSON.stringify(overrides) : '';
  const moderationPolicy = parsePolicy(moderationPolicyJson, 'moderationPolicy');
  return { ...c, runtime, ...(runtimeWarning ? { runtimeWarning } : {}), moderationPolicy, moderationPolicyJson };
}

const KEYS = [
  'modelName',
  'classifierMemoryMb',
  'architecture',
  'reservedConcurrency',
  'classifierProvisionedConcurrency',
  'provisionedConcurrencySchedule',
  'monthlyBudgetUsd',
  'safetyEngine',
  'safetyMinConfidence',
  'moderationPolicy',
  'workflowType',
  'logLevel',
  'metricsNamespace',
  'serviceName',
  'reviewRateAlarmPercent',
  'rejectRateAlarmPercent',
  'alarmMinDecisions',
  'logRetentionDays',
  'stagingExpirationDays',
  'efsThroughputMode',
  'efsBackups',
  'reviewEmail',
  'reviewTimeoutSeconds',
  'reviewHeartbeatSeconds',
  'reviewTimeoutOutcome',
  'reviewSweepMinutes',
  'lambdaRuntime',
  'httpApi',
  'httpApiAuth',
  'httpApiJwtIssuer',
  'httpApiJwtAudience',
  'httpApiCorsOrigins',
  'httpApiRateLimit',
  'httpApiBurstLimit',
] as const;

/**
 * The default `service` dimension: one per stack, because the alarms and the dashboard select their series
 * by it, and two stacks in one account and region with the same name would share every series.
 */
export const stackServiceName = (stack: string): string => `${DEFAULT_SERVICE_NAME}-${stack}`;

/** Reads the stack's Pulumi config. */
export function loadStackConfig(): StackConfig {
  const cfg = new pulumi.Config();
  const raw: Record<string, unknown> = { region: new pulumi.Config('aws').get('region'), serviceName: stackServiceName(pulumi.getStack()) };
  const structured = new Set<string>(['moderationPolicy', 'thresholds', 'httpApiJwtAudience', 'httpApiCorsOrigins', 'provisionedConcurrencySchedule']);
  // The renamed keys are read too, so that one left in a stack file is refused by name.
  for (const k of [...KEYS, ...Object.keys(RENAMED_KEYS)]) raw[k] = (structured.has(k) ? cfg.getObject(k) : cfg.get(k)) ?? raw[k];
  return parseStackConfig(raw);
}
