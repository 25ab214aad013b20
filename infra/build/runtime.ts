/**
 * The Lambda Node.js runtimes this stack may deploy, with AWS's lifecycle dates (AWS Lambda "Runtimes"
 * page, read December 2026). After block-create no new function can be created on a runtime, after
 * block-update existing ones cannot be changed either, so a stack on such a runtime cannot be deployed.
 * No Pulumi import: the image bundle build (infra/build/lambda-bundles.ts) reads the Node major from here.
 */
import { ConfigError } from '../../functions/shared/errors.js';

export interface LambdaNodeRuntime {
  /** The zip functions' `runtime`. */
  id: 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
  nodeMajor: number;
  /** The container image's base (AWS's image for the same runtime). */
  baseImage: string;
  /** ISO dates (UTC). */
  deprecation: string;
  blockCreate: string;
  blockUpdate: string;
}

export const LAMBDA_NODE_RUNTIMES: readonly LambdaNodeRuntime[] = [
  // Earlier copies of AWS's page said block-create 2026-06-01 / block-update 2026-07-01; AWS moved both.
  {
    id: 'nodejs20.x',
    nodeMajor: 20,
    baseImage: 'public.ecr.aws/lambda/nodejs:20',
    deprecation: '2026-04-30',
    blockCreate: '2026-08-31',
    blockUpdate: '2026-09-30',
  },
  {
    id: 'nodejs22.x',
    nodeMajor: 22,
    baseImage: 'public.ecr.aws/lambda/nodejs:22',
    deprecation: '2027-04-30',
    blockCreate: '2027-06-01',
    blockUpdate: '2027-07-01',
  },
  {
    id: 'nodejs24.x',
    nodeMajor: 24,
    baseImage: 'public.ecr.aws/lambda/nodejs:24',
    deprecation: '2028-04-30',
    blockCreate: '2028-06-01',
    blockUpdate: '2028-07-01',
  },
];

/** The stack's default (`lambdaRuntime` in Pulumi config). */
export const DEFAULT_LAMBDA_RUNTIME: LambdaNodeRuntime['id'] = 'nodejs24.x';

/** `npm run plan` warns this many days before the chosen runtime's deprecation date. */
export const DEPRECATION_WARNING_DAYS = 180;

const DAY_MS = 86_400_000;

export function findRuntime(id: string): LambdaNodeRuntime | undefined {
  return LAMBDA_NODE_RUNTIMES.find((r) => r.id === id);
}

export function defaultRuntime(): LambdaNodeRuntime {
  return findRuntime(DEFAULT_LAMBDA_RUNTIME)!;
}

/** Whole days from `today` to an ISO date (negative once it has passed). */
function daysUntil(isoDate: string, today: Date): number {
  const startOfToday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((Date.parse(`${isoDate}T00:00:00Z`) - startOfToday) / DAY_MS);
}

export interface RuntimeCheck {
  runtime: LambdaNodeRuntime;
  daysToDeprecation: number;
  /** Set when deprecation is at most DEPRECATION_WARNING_DAYS away (or past): what to move to. */
  warning?: string;
}

/**
 * The configured runtime checked against today's date: a ConfigError once functions can no longer be
 * created on it (or for an unknown id), a warning within DEPRECATION_WARNING_DAYS of deprecation.
 */
export function checkRuntime(id: string, today: Date): RuntimeCheck {
  const runtime = findRuntime(id);
  const known = LAMBDA_NODE_RUNTIMES.map((r) => r.id).join(', ');
  if (!runtime) throw new ConfigError(`Invalid stack configuration: lambdaRuntime ${JSON.stringify(id)} is not one of ${known} (infra/build/runtime.ts).`);
  const newest = LAMBDA_NODE_RUNTIMES.reduce((a, b) => (b.nodeMajor > a.nodeMajor ? b : a));
  if (daysUntil(runtime.blockCreate, today) <= 0) {
    throw new ConfigError(
      `Invalid stack configuration: lambdaRuntime ${id} was deprecated on ${runtime.deprecation} and AWS blocks creating functions on it since ${runtime.blockCreate} ` +
        `(updates from ${runtime.blockUpdate}). Set lambdaRuntime to ${newest.id} (pulumi config set lambdaRuntime ${newest.id}).`,
    );
  }
  const daysToDeprecation = daysUntil(runtime.deprecation, today);
  if (daysToDeprecation > DEPRECATION_WARNING_DAYS) return { runtime, daysToDeprecation };
  const when = daysToDeprecation > 0 ? `is deprecated in ${daysToDeprecation} days (${runtime.deprecation})` : `was deprecated on ${runtime.deprecation}`;
  return {
    runtime,
    daysToDeprecation,
    warning:
      `lambdaRuntime ${id} ${when}; AWS blocks creating functions on it from ${runtime.blockCreate} and updating them from ${runtime.blockUpdate}. ` +
      (newest.id === id ? "Add the next Node.js runtime from AWS's runtime page to infra/build/runtime.ts and move to it." : `Move to ${newest.id}.`),
  };
}
