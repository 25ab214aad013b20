/**
 * The one entry every step's Lambda goes through (and the local engine's steps too): builds the step's
 * handler once per process on the first invocation (a failed build is forgotten, so the next invocation
 * retries), logs with the execution name, post id and image sha256 as correlation keys, times the step,
 * counts errors by name, publishes the metrics, and hands thrown errors on under their own names
 * (what Retry and Catch match).
 *
 * A new Lambda: `export const handler = lambdaEntry('MyStep', (t) => createMyHandler(deps))`, where
 * createMyHandler(deps) returns `(event: unknown, t: Telemetry) => Promise<Output>` and parses its input.
 * A Lambda behind several states names the step from its payload: `lambdaEntry((event) => stepOf(event), ...)`.
 *
 * ColdStart counts the first invocation of each wrapper: in a Lambda that is the process's cold start;
 * in the local engine each step's wrapper is built once per workflow, and its first invocation builds the
 * step (model sessions, store clients) just as a Lambda's cold start does, so it is counted the same way,
 * with the local function name as function_name.
 */
import type { Context } from 'aws-lambda';
import type { StepName } from './metric-names.js';
import { METRICS } from './metric-names.js';
import type { Telemetry } from './create.js';
import { lambdaTelemetry } from './process.js';
import { ModerationError } from '../errors.js';

export type StepCore<O> = (event: unknown, t?: Telemetry) => Promise<O>;

/** The keys that tie a log line to one execution, one post and one image. */
export interface Correlation {
  execution?: string;
  post_id?: string;
  image_sha256?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined);

/** Reads the correlation keys from any step's payload (see contracts/: executionName, input.postId, image.sha256). */
export function correlationOf(payload: unknown): Correlation {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as {
    executionName?: unknown;
    input?: { postId?: unknown };
    image?: { sha256?: unknown };
    verdict?: { image?: { sha256?: unknown } } | null;
  };
  const c: Correlation = {};
  const execution = str(p.executionName);
  const postId = str(p.input?.postId);
  // VerdictStep's payloads (and outputs) carry the image inside the verdict.
  const sha = str(p.image?.sha256) ?? str(p.verdict?.image?.sha256);
  if (execution) c.execution = execution;
  if (postId) c.post_id = postId;
  if (sha) c.image_sha256 = sha;
  return c;
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const e = new Error(typeof err === 'string' ? err : JSON.stringify(err));
  e.name = 'Error';
  return e;
}

export interface EntryOptions {
  /** The function_name of the ColdStart metric when there is no Lambda context (the local engine's function name). */
  functionName?: string;
}

export function lambdaEntry<O>(
  stepOf: StepName | ((event: unknown) => StepName),
  create: (t: Telemetry) => StepCore<O> | Promise<StepCore<O>>,
  telemetry: () => Telemetry = lambdaTelemetry,
  options: EntryOptions = {},
): (event: unknown, context?: Context) => Promise<O> {
  let core: Promise<StepCore<O>> | undefined;
  let invocations = 0;
  return async (event, context) => {
    const t = telemetry();
    const step = typeof stepOf === 'function' ? stepOf(event) : stepOf;
    const keys = { step, ...correlationOf(event) };
    const logger = t.logger.createChild({ persistentKeys: keys });
    if (context) logger.addContext(context);
    const scoped: Telemetry = { ...t, logger };
    const tracer = t.config.tracing ? await t.tracer : undefined;
    if (invocations++ === 0) {
      // Our own count rather than Powertools' captureColdStartMetric: that one fires once per Metrics
      // instance, so locally (one telemetry shared by every step) only the first step would be counted.
      const functionName = t.config.functionName ?? context?.functionName ?? options.functionName ?? step;
      t.count(METRICS.coldStart, { function_name: functionName });
      tracer?.annotateColdStart();
    }
    for (const [k, v] of Object.entries(keys)) tracer?.putAnnotation(k, v);
    const started = performance.now();
    try {
      if (!core) {
        core = Promise.resolve().then(() => create(scoped));
        core.catch(() => (core = undefined));
      }
      const out = await (await core)(event, scoped);
      const ms = performance.now() - started;
      t.milliseconds(METRICS.stepDuration, { step }, ms);
      logger.info(`${step} done`, { durationMs: Math.round(ms), ...correlationOf(out) });
      return out;
    } catch (thrown) {
      const err = asError(thrown);
      const ms = performance.now() - started;
      t.milliseconds(METRICS.stepDuration, { step }, ms);
      t.count(METRICS.stepErrors, { step, error: err.name });
      // A named error is an answer about this image (it becomes a verdict); anything else is a fault to look at.
      const details = err instanceof ModerationError ? err.details : undefined;
      const record = { durationMs: Math.round(ms), errorName: err.name, errorMessage: err.message, ...(details ? { details } : {}) };
      if (err instanceof ModerationError) logger.warn(`${step} failed: ${err.name}`, record);
      else logger.error(`${step} failed: ${err.name}`, { ...record, error: err });
      throw err;
    } finally {
      t.metrics.publishStoredMetrics();
    }
  };
}
