/**
 * Builds the moderation state machine (ASL, JSONPath: the local engine has no JSONata). The same object
 * is deployed by the Pulumi program and run by the local engine, so every quirk-avoidance here serves both.
 *
 * Data flow (payloads are the contracts in functions/shared/contracts.ts):
 *   execution input (ModerationInput) → FetchImage → $.staged = { image }
 *   AnalyzeImage (Parallel, branch input AnalyzeInput) → $.analysis = [ClassifyOutput, SafetyResult]
 *   AggregateVerdict (AggregateInput) → the state becomes the Verdict → RouteDecision → Succeed state.
 * Fail-safe path: every Catch stores the error in $.error, a Pass names the failed state, and
 * FailSafeVerdict calls the aggregate function with `error` set; if even that fails, a fixed verdict
 * is built in the state machine itself. No failure path can reach Approved.
 */
import { STATE_NAMES } from '../functions/shared/contracts.js';
import { PERMANENT_ERRORS, REJECTING_ERRORS, TRANSIENT_LAMBDA_ERRORS, TRANSIENT_REKOGNITION_ERRORS } from '../functions/shared/errors.js';
import type { AslDefinition, AslState, Catcher, ChoiceState, JsonObject, PassState, Retrier, TaskState } from './asl.js';

export interface DefinitionRefs {
  fetchImageFunction: string;
  classifyFunction: string;
  aggregateFunction: string;
  safety: { engine: 'rekognition'; minConfidence?: number } | { engine: 'local'; function: string };
  stagingBucket?: string;
  timeoutsSeconds?: Partial<Record<'fetch' | 'classify' | 'safety' | 'aggregate', number>>;
}

/** States beyond the console's happy path, named so an execution's graph says what went wrong. */
export const FAIL_SAFE_STATE_NAMES = {
  fetchFailed: 'FetchImageFailed',
  analyzeFailed: 'AnalyzeImageFailed',
  aggregateFailed: 'AggregateVerdictFailed',
  verdict: 'FailSafeVerdict',
  routeVerdict: 'RouteFailSafe',
  routeFallback: 'RouteFallback',
  fallbackReview: 'FallbackReview',
  fallbackReject: 'FallbackReject',
} as const;

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const REKOGNITION_MODERATION = 'arn:aws:states:::aws-sdk:rekognition:detectModerationLabels';

/**
 * Task timeouts: a fetch is bounded by its own 10 s timeout plus staging; the classifier's first call
 * loads the model (EFS cold start); the local default (60 s) and AWS's (none: tasks have hung for weeks)
 * are both wrong for us.
 */
export const DEFAULT_TIMEOUTS_SECONDS = { fetch: 30, classify: 60, safety: 30, aggregate: 15 } as const;

/** Rekognition's default is 50; below that labels are noise for a blog. */
export const DEFAULT_REKOGNITION_MIN_CONFIDENCE = 50;

/** Whole-execution cap: the longest path (all retries exhausted on every step) stays well below it. */
export const EXECUTION_TIMEOUT_SECONDS = 900;

/** AWS's recommended Lambda retry (DESIGN.md), with full jitter so a throttled burst does not retry in lockstep. */
function transientRetry(errors: readonly string[]): Retrier {
  return { ErrorEquals: [...errors], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' };
}

/**
 * Listed first so no later retrier (say a States.ALL added one day) can ever retry them: the same input
 * gives the same answer.
 */
const NEVER_RETRY_PERMANENT: Retrier = { ErrorEquals: [...PERMANENT_ERRORS], MaxAttempts: 0 };

/** States.DataLimitExceeded is not matched by States.ALL, so it is named on its own. */
function catchAll(next: string, resultPath = '$.error'): Catcher[] {
  return [
    { ErrorEquals: ['States.DataLimitExceeded'], ResultPath: resultPath, Next: next },
    { ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next },
  ];
}

function lambdaTask(functionName: string, payload: JsonObject | string, timeoutSeconds: number, extra: Partial<TaskState>): TaskState {
  const Parameters: JsonObject =
    typeof payload === 'string' ? { FunctionName: functionName, 'Payload.$': payload } : { FunctionName: functionName, Payload: payload };
  return {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters,
    TimeoutSeconds: timeoutSeconds,
    Retry: [NEVER_RETRY_PERMANENT, transientRetry(TRANSIENT_LAMBDA_ERRORS)],
    ...extra,
  };
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`timeoutsSeconds.${name} must be a positive integer of seconds, got ${String(value)}.`);
  return v;
}

function checkRefs(refs: DefinitionRefs): void {
  const names: Array<[string, string]> = [
    ['fetchImageFunction', refs.fetchImageFunction],
    ['classifyFunction', refs.classifyFunction],
    ['aggregateFunction', refs.aggregateFunction],
  ];
  if (refs.safety.engine === 'local') names.push(['safety.function', refs.safety.function]);
  for (const [name, value] of names) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`DefinitionRefs.${name} must be a function name or ARN; got ${JSON.stringify(value)}. Apply Pulumi Outputs before building.`);
    }
  }
}

function checkSafetyState(refs: DefinitionRefs, timeoutSeconds: number): TaskState {
  if (refs.safety.engine === 'local') {
    return lambdaTask(refs.safety.function, '$', timeoutSeconds, { OutputPath: '$.Payload', End: true });
  }
  const minConfidence = refs.safety.minConfidence ?? DEFAULT_REKOGNITION_MIN_CONFIDENCE;
  if (!(minConfidence >= 0 && minConfidence <= 100)) throw new RangeError(`safety.minConfidence must be 0..100, got ${minConfidence}.`);
  // The staging bucket as a constant when known: Rekognition then can only ever be pointed at it.
  const s3Object: JsonObject = refs.stagingBucket
    ? { Bucket: refs.stagingBucket, 'Name.$': '$.image.key' }
    : { 'Bucket.$': '$.image.bucket', 'Name.$': '$.image.key' };
  return {
    Type: 'Task',
    Comment: 'Rekognition DetectModerationLabels on the staged object; AggregateVerdict normalises the raw labels.',
    Resource: REKOGNITION_MODERATION,
    Parameters: { Image: { S3Object: s3Object }, MinConfidence: minConfidence },
    // Keeps the state small and typed (RawRekognitionSafety): a state cannot reshape the label array itself.
    ResultSelector: { engine: 'rekognition', 'raw.$': '$.ModerationLabels', 'modelVersion.$': '$.ModerationModelVersion' },
    TimeoutSeconds: timeoutSeconds,
    Retry: [NEVER_RETRY_PERMANENT, transientRetry(TRANSIENT_REKOGNITION_ERRORS)],
    End: true,
  };
}

/** A fixed verdict built by the state machine itself, for when the aggregate function cannot answer at all. */
function fallbackVerdict(decision: 'review' | 'reject'): PassState {
  return {
    Type: 'Pass',
    Comment: `The fail-safe aggregate failed too: a fixed ${decision} verdict that still names the original error.`,
    Parameters: {
      decision,
      reasons: [
        {
          code: 'step-failed',
          'error.$': '$.error.Error',
          'message.$':
            "States.Format('A step failed with {} and the fail-safe verdict could not be computed ({}); a person must review this image.', $.error.Error, $.failSafeError.Error)",
        },
      ],
      seoTags: [],
      altText: '',
      labels: [],
      moderation: [],
    },
    Next: decision === 'reject' ? STATE_NAMES.rejected : STATE_NAMES.review,
  };
}

function failedAt(state: string): PassState {
  return { Type: 'Pass', Result: { state }, ResultPath: '$.failure', Next: FAIL_SAFE_STATE_NAMES.verdict };
}

export function buildDefinition(refs: DefinitionRefs): AslDefinition {
  checkRefs(refs);
  const t = refs.timeoutsSeconds ?? {};
  const timeouts = {
    fetch: positiveInt('fetch', t.fetch, DEFAULT_TIMEOUTS_SECONDS.fetch),
    classify: positiveInt('classify', t.classify, DEFAULT_TIMEOUTS_SECONDS.classify),
    safety: positiveInt('safety', t.safety, DEFAULT_TIMEOUTS_SECONDS.safety),
    aggregate: positiveInt('aggregate', t.aggregate, DEFAULT_TIMEOUTS_SECONDS.aggregate),
  };
  const F = FAIL_SAFE_STATE_NAMES;
  const S = STATE_NAMES;

  const routeDecision: ChoiceState = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.decision', StringEquals: 'approve', Next: S.approved },
      { Variable: '$.decision', StringEquals: 'reject', Next: S.rejected },
    ],
    Default: S.review,
  };

  const states: Record<string, AslState> = {
    [S.fetch]: lambdaTask(refs.fetchImageFunction, '$', timeouts.fetch, {
      // Only the pointer goes on; the Lambda response's metadata would only grow the state.
      ResultSelector: { 'image.$': '$.Payload.image' },
      ResultPath: '$.staged',
      Catch: catchAll(F.fetchFailed),
      Next: S.analyze,
    }),
    [S.analyze]: {
      Type: 'Parallel',
      Parameters: { 'image.$': '$.staged.image' },
      Branches: [
        {
          StartAt: S.classify,
          States: { [S.classify]: lambdaTask(refs.classifyFunction, '$', timeouts.classify, { OutputPath: '$.Payload', End: true }) },
        },
        { StartAt: S.safety, States: { [S.safety]: checkSafetyState(refs, timeouts.safety) } },
      ],
      ResultPath: '$.analysis',
      // States.TaskFailed does not match on a Parallel's Catch (locally), so catch everything.
      Catch: catchAll(F.analyzeFailed),
      Next: S.aggregate,
    },
    [S.aggregate]: lambdaTask(
      refs.aggregateFunction,
      {
        // Top level (not inside the Parallel), where $$.Execution.Input is the publisher's input on AWS and locally.
        'input.$': '$$.Execution.Input',
        'image.$': '$.staged.image',
        'classification.$': '$.analysis[0]',
        'safety.$': '$.analysis[1]',
      },
      timeouts.aggregate,
      { OutputPath: '$.Payload', Catch: catchAll(F.aggregateFailed), Next: S.route },
    ),
    [S.route]: routeDecision,
    [S.approved]: { Type: 'Succeed' },
    [S.review]: { Type: 'Succeed' },
    [S.rejected]: { Type: 'Succeed' },

    [F.fetchFailed]: failedAt(S.fetch),
    [F.analyzeFailed]: failedAt(S.analyze),
    [F.aggregateFailed]: failedAt(S.aggregate),
    [F.verdict]: lambdaTask(
      refs.aggregateFunction,
      // JsonMerge adds the failed state's name to the caught { Error, Cause } (AggregateInput.error.state).
      { 'input.$': '$$.Execution.Input', 'error.$': 'States.JsonMerge($.error, $.failure, false)' },
      timeouts.aggregate,
      {
        Comment: 'The aggregate function turns the caught error into a review or reject verdict that names it.',
        OutputPath: '$.Payload',
        Catch: catchAll(F.routeFallback, '$.failSafeError'),
        Next: F.routeVerdict,
      },
    ),
    // A separate Choice without an Approved branch: even a wrong answer here cannot approve.
    [F.routeVerdict]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.decision', StringEquals: 'reject', Next: S.rejected }],
      Default: S.review,
    },
    [F.routeFallback]: {
      Type: 'Choice',
      Choices: [
        { Or: REJECTING_ERRORS.map((name) => ({ Variable: '$.error.Error', StringEquals: name })), Next: F.fallbackReject },
      ],
      Default: F.fallbackReview,
    },
    [F.fallbackReview]: fallbackVerdict('review'),
    [F.fallbackReject]: fallbackVerdict('reject'),
  };

  return {
    Comment: 'Moderates one blog image: fetch and stage it, classify and safety-check it in parallel, then approve, review or reject.',
    StartAt: S.fetch,
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: states,
  };
}
