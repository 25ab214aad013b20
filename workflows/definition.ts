/**
 * Builds the moderation state machine (ASL, JSONPath: the local engine has no JSONata). The same object
 * is deployed by the Pulumi program and run by the local engine, so every quirk-avoidance here serves both.
 *
 * Data flow (payloads are the contracts in functions/shared/contracts/):
 *   execution input (ModerationInput) → FetchImage → $.staged = { image }
 *   AnalyzeImage (Parallel, branch input AnalyzeInput) → $.analysis = [ClassifyOutput, SafetyResult]
 *   AggregateVerdict (AggregateInput) → the state becomes the Verdict → RouteDecision → Succeed state.
 * Fail-safe path: every Catch stores the error in $.error, a Pass names the failed state (and the staged
 * image), and FailSafeVerdict calls the aggregate function with `error` set; a review verdict of a staged
 * image then goes through RequestReview like a policy review. If the aggregate fails too, a fixed verdict
 * is built in the state machine itself; if RequestReview fails, the verdict ends as it is. No failure
 * path reaches Approved except through a moderator's decision on RequestReview.
 */
import { type ReviewTimeoutOutcome, type Ruleset } from '../functions/shared/contracts/index.js';
import { FAIL_SAFE_STATE_NAMES, STATE_NAMES } from '../functions/shared/contracts/states.js';
import { DEFAULT_REVIEW_TIMEOUT_SECONDS } from '../functions/shared/verdict-store/review-config.js';
import { PERMANENT_ERRORS, REJECTING_ERRORS, TRANSIENT_LAMBDA_ERRORS, TRANSIENT_REKOGNITION_ERRORS } from '../functions/shared/errors.js';
import type { AslDefinition, AslState, Catcher, ChoiceState, JsonObject, MapState, PassState, Retrier, TaskState } from './asl.js';

export interface DefinitionRefs {
  fetchImageFunction: string;
  classifyFunction: string;
  aggregateFunction: string;
  safety: { engine: 'rekognition'; minConfidence?: number } | { engine: 'local'; function: string };
  stagingBucket?: string;
  timeoutsSeconds?: Partial<Record<'fetch' | 'classify' | 'safety' | 'aggregate' | 'verdicts', number>>;
  /** The verdict + review store's step (functions/verdicts/): dedupe lookup, recording, review. */
  verdicts: { function: string; ruleset: Ruleset; review: ReviewSettings };
}

export interface ReviewSettings {
  /**
   * `wait`: RequestReview is a `.waitForTaskToken` task and the execution resumes with the moderator's
   * decision (STANDARD only). `queue`: the review item is recorded and the execution ends NeedsReview
   * (EXPRESS workflows cannot wait for a token; the local engine has no task tokens).
   */
  mode: 'wait' | 'queue';
  /** The review's deadline: the waiting task's TimeoutSeconds (the item's deadline in queue mode). */
  timeoutSeconds: number;
  /** Fails the waiting task when no SendTaskHeartbeat arrives for this long; default: timeoutSeconds. */
  heartbeatSeconds?: number;
  /** What a review nobody decided in time ends as (never approve). */
  timeoutOutcome: ReviewTimeoutOutcome;
}

export const DEFAULT_REVIEW: ReviewSettings = { mode: 'wait', timeoutSeconds: DEFAULT_REVIEW_TIMEOUT_SECONDS, timeoutOutcome: 'review' };

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
export const REKOGNITION_MODERATION = 'arn:aws:states:::aws-sdk:rekognition:detectModerationLabels';
/** The Task inside CheckSafety's Map (Rekognition engine): one DetectModerationLabels per checked view. */
export const REKOGNITION_VIEW_STATE = 'ModerateView';
/** Views Rekognition looks at in parallel for one image (frames, alpha pages). */
export const REKOGNITION_VIEW_CONCURRENCY = 4;

/**
 * Task timeouts: a fetch is bounded by its own 10 s timeout plus staging; the classifier's first call
 * loads the model (EFS cold start); the local default (60 s) and AWS's (none: tasks have hung for weeks)
 * are both wrong for us.
 */
export const DEFAULT_TIMEOUTS_SECONDS = { fetch: 30, classify: 60, safety: 30, aggregate: 15, verdicts: 15 } as const;

/** Rekognition's default is 50; below that labels are noise for a blog. */
export const DEFAULT_REKOGNITION_MIN_CONFIDENCE = 50;

/** Whole-execution cap without a person: the longest path (all retries exhausted on every step) stays well below it. Waiting for a review adds its timeout. */
export const EXECUTION_TIMEOUT_SECONDS = 900;

/** AWS's recommended Lambda retry (docs/decisions.md, "Retries"), with full jitter so a throttled burst does not retry in lockstep. */
function transientRetry(errors: readonly string[]): Retrier {
  return { ErrorEquals: [...errors], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' };
}

/**
 * Listed first so no later retrier (say a States.ALL added one day) can ever retry them: the same input
 * gives the same answer.
 */
const NEVER_RETRY_PERMANENT: Retrier = { ErrorEquals: [...PERMANENT_ERRORS], MaxAttempts: 0 };

/** Added to every Lambda payload: the execution's name, a correlation key of every log line (ExecutionRef). */
const EXECUTION_REF = { 'executionName.$': '$$.Execution.Name' } as const;

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
    ['verdicts.function', refs.verdicts?.function],
    ['verdicts.ruleset', refs.verdicts?.ruleset],
  ];
  if (refs.safety.engine === 'local') names.push(['safety.function', refs.safety.function]);
  for (const [name, value] of names as Array<[string, string | undefined]>) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`DefinitionRefs.${name} must be a function name or ARN; got ${JSON.stringify(value)}. Apply Pulumi Outputs before building.`);
    }
  }
}

function checkSafetyState(refs: DefinitionRefs, timeoutSeconds: number): TaskState | MapState {
  if (refs.safety.engine === 'local') {
    return lambdaTask(refs.safety.function, '$', timeoutSeconds, { OutputPath: '$.Payload', End: true });
  }
  const minConfidence = refs.safety.minConfidence ?? DEFAULT_REKOGNITION_MIN_CONFIDENCE;
  if (!(minConfidence >= 0 && minConfidence <= 100)) throw new RangeError(`safety.minConfidence must be 0..100, got ${minConfidence}.`);
  // The staging bucket as a constant when known: Rekognition then can only ever be pointed at it.
  const s3Object: JsonObject = refs.stagingBucket ? { Bucket: refs.stagingBucket, 'Name.$': '$.key' } : { 'Bucket.$': '$.bucket', 'Name.$': '$.key' };
  return {
    Type: 'Map',
    Comment:
      'Rekognition DetectModerationLabels on every checked view FetchImage staged (the original, or JPEGs Rekognition accepts: other formats, each sampled frame, alpha on a light and a dark page); AggregateVerdict normalises the raw labels.',
    ItemsPath: '$.image.checks',
    MaxConcurrency: REKOGNITION_VIEW_CONCURRENCY,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: REKOGNITION_VIEW_STATE,
      States: {
        [REKOGNITION_VIEW_STATE]: {
          Type: 'Task',
          Resource: REKOGNITION_MODERATION,
          Parameters: { Image: { S3Object: s3Object }, MinConfidence: minConfidence },
          // Keeps the state small and typed: a state cannot reshape the label array itself.
          ResultSelector: { 'raw.$': '$.ModerationLabels', 'modelVersion.$': '$.ModerationModelVersion' },
          TimeoutSeconds: timeoutSeconds,
          Retry: [NEVER_RETRY_PERMANENT, transientRetry(TRANSIENT_REKOGNITION_ERRORS)],
          End: true,
        },
      },
    },
    // RawRekognitionSafety: one answer per view, in StagedImage.checks order.
    ResultSelector: { engine: 'rekognition', 'views.$': '$' },
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

function checkReview(r: ReviewSettings): Required<ReviewSettings> {
  const timeoutSeconds = positiveInt('review.timeoutSeconds', r.timeoutSeconds, DEFAULT_REVIEW.timeoutSeconds);
  const heartbeatSeconds = positiveInt('review.heartbeatSeconds', r.heartbeatSeconds, timeoutSeconds);
  // STANDARD executions last at most a year; a review must end well inside that.
  if (timeoutSeconds > 364 * 86_400) throw new RangeError(`review.timeoutSeconds must be under 364 days, got ${timeoutSeconds}.`);
  if (heartbeatSeconds > timeoutSeconds)
    throw new RangeError(`review.heartbeatSeconds (${heartbeatSeconds}) must not exceed review.timeoutSeconds (${timeoutSeconds}).`);
  if (r.timeoutOutcome !== 'review' && r.timeoutOutcome !== 'reject')
    throw new RangeError(`review.timeoutOutcome must be review or reject (never approve), got ${JSON.stringify(r.timeoutOutcome)}.`);
  if (r.mode !== 'wait' && r.mode !== 'queue') throw new RangeError(`review.mode must be wait or queue, got ${JSON.stringify(r.mode)}.`);
  return { mode: r.mode, timeoutSeconds, heartbeatSeconds, timeoutOutcome: r.timeoutOutcome };
}

/**
 * RequestReview. `wait`: the execution pauses on the task token until `npm run review` (SendTaskSuccess)
 * resumes it with the moderator's verdict; the deadline and heartbeat fail it into ReviewExpired.
 * `queue`: the item is recorded and the step answers at once with the pending verdict (and its reviewId).
 */
function requestReviewState(refs: DefinitionRefs, review: Required<ReviewSettings>, timeoutSeconds: number): TaskState {
  const F = FAIL_SAFE_STATE_NAMES;
  const S = STATE_NAMES;
  const payload: JsonObject = {
    action: 'requestReview',
    ruleset: refs.verdicts.ruleset,
    'verdict.$': '$',
    'input.$': '$$.Execution.Input',
    timeoutSeconds: review.timeoutSeconds,
    ...EXECUTION_REF,
  };
  // A failure to queue the review leaves the verdict as it is (review, never approve): the last resort,
  // routed without asking for a review again.
  const onError: Catcher[] = catchAll(F.routeUnreviewed, '$.reviewError');
  if (review.mode === 'queue') {
    return lambdaTask(refs.verdicts.function, payload, timeoutSeconds, {
      Comment: 'Records the review item and ends NeedsReview: this workflow cannot wait for a person (EXPRESS, or the local engine).',
      OutputPath: '$.Payload',
      Catch: onError,
      Next: S.routeRecorded,
    });
  }
  return {
    Type: 'Task',
    Comment: 'Waits for a moderator: the item (with this task token) is in the verdict table and SNS told the moderators; npm run review resumes it.',
    Resource: LAMBDA_INVOKE_WAIT,
    Parameters: { FunctionName: refs.verdicts.function, Payload: { ...payload, 'taskToken.$': '$$.Task.Token' } },
    TimeoutSeconds: review.timeoutSeconds,
    HeartbeatSeconds: review.heartbeatSeconds,
    Retry: [NEVER_RETRY_PERMANENT, transientRetry(TRANSIENT_LAMBDA_ERRORS)],
    Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], ResultPath: '$.reviewError', Next: S.reviewExpired }, ...onError],
    Next: S.routeRecorded,
  };
}

/**
 * Names the failed state and points at the staged image when there is one (null when FetchImage failed):
 * a fail-safe verdict with an image becomes a review item a moderator can list and decide.
 */
function failedAt(state: string, imagePath: string | null): PassState {
  const image: JsonObject = imagePath ? { 'image.$': imagePath } : { image: null };
  return { Type: 'Pass', Parameters: { where: { state }, ...image }, ResultPath: '$.failure', Next: FAIL_SAFE_STATE_NAMES.verdict };
}

export function buildDefinition(refs: DefinitionRefs): AslDefinition {
  checkRefs(refs);
  const t = refs.timeoutsSeconds ?? {};
  const timeouts = {
    fetch: positiveInt('fetch', t.fetch, DEFAULT_TIMEOUTS_SECONDS.fetch),
    classify: positiveInt('classify', t.classify, DEFAULT_TIMEOUTS_SECONDS.classify),
    safety: positiveInt('safety', t.safety, DEFAULT_TIMEOUTS_SECONDS.safety),
    aggregate: positiveInt('aggregate', t.aggregate, DEFAULT_TIMEOUTS_SECONDS.aggregate),
    verdicts: positiveInt('verdicts', t.verdicts, DEFAULT_TIMEOUTS_SECONDS.verdicts),
  };
  const review = checkReview(refs.verdicts.review);
  const F = FAIL_SAFE_STATE_NAMES;
  const S = STATE_NAMES;

  // The policy's approve and reject are recorded; everything else goes to a person.
  const routeDecision: ChoiceState = {
    Type: 'Choice',
    Choices: [
      {
        Or: [
          { Variable: '$.decision', StringEquals: 'approve' },
          { Variable: '$.decision', StringEquals: 'reject' },
        ],
        Next: S.record,
      },
    ],
    Default: S.requestReview,
  };
  // Every recorded or decided verdict ends here: the store's answer, the policy's, or a moderator's.
  const routeRecorded: ChoiceState = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.decision', StringEquals: 'approve', Next: S.approved },
      { Variable: '$.decision', StringEquals: 'reject', Next: S.rejected },
    ],
    Default: S.review,
  };
  const verdictsTask = (payload: JsonObject, extra: Partial<TaskState>): TaskState =>
    lambdaTask(
      refs.verdicts.function,
      { ruleset: refs.verdicts.ruleset, 'input.$': '$$.Execution.Input', ...EXECUTION_REF, ...payload },
      timeouts.verdicts,
      extra,
    );

  const states: Record<string, AslState> = {
    [S.fetch]: lambdaTask(refs.fetchImageFunction, { 'input.$': '$', ...EXECUTION_REF }, timeouts.fetch, {
      // Only the pointer goes on; the Lambda response's metadata would only grow the state.
      ResultSelector: { 'image.$': '$.Payload.image' },
      ResultPath: '$.staged',
      Catch: catchAll(F.fetchFailed),
      Next: S.lookup,
    }),
    [S.lookup]: verdictsTask(
      { action: 'lookup', 'image.$': '$.staged.image' },
      {
        Comment: 'The verdict store by sha256 + ruleset: a photo seen before is answered without classify or safety (unless the input asks to re-moderate).',
        ResultSelector: { 'found.$': '$.Payload.found', 'verdict.$': '$.Payload.verdict' },
        ResultPath: '$.known',
        // A store it cannot read may hold a moderator's decision: review, never a fresh policy verdict.
        Catch: catchAll(F.lookupFailed),
        Next: S.known,
      },
    ),
    [S.known]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.known.found', BooleanEquals: true, Next: S.recorded }],
      Default: S.analyze,
    },
    [S.recorded]: { Type: 'Pass', Comment: 'The stored verdict, as decided (policy or moderator).', InputPath: '$.known.verdict', Next: S.routeRecorded },
    [S.analyze]: {
      Type: 'Parallel',
      Parameters: { 'image.$': '$.staged.image', 'input.$': '$$.Execution.Input', ...EXECUTION_REF },
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
        ...EXECUTION_REF,
      },
      timeouts.aggregate,
      { OutputPath: '$.Payload', Catch: catchAll(F.aggregateFailed), Next: S.route },
    ),
    [S.route]: routeDecision,
    [S.record]: verdictsTask(
      { action: 'record', 'verdict.$': '$' },
      // Not recorded: the store may hold a moderator's decision this verdict would stand in for, so review.
      { OutputPath: '$.Payload', Catch: catchAll(F.recordFailed), Next: S.routeRecorded },
    ),
    [S.requestReview]: requestReviewState(refs, review, timeouts.verdicts),
    [S.routeRecorded]: routeRecorded,
    [S.approved]: { Type: 'Succeed' },
    [S.review]: { Type: 'Succeed' },
    [S.rejected]: { Type: 'Succeed' },

    [F.fetchFailed]: failedAt(S.fetch, null),
    [F.lookupFailed]: failedAt(S.lookup, '$.staged.image'),
    // No review item: the store that failed to record would hold it (and a missing image path here
    // would fail the execution instead of routing it); the verdict ends NeedsReview as it is.
    [F.recordFailed]: failedAt(S.record, null),
    [F.analyzeFailed]: failedAt(S.analyze, '$.staged.image'),
    [F.aggregateFailed]: failedAt(S.aggregate, '$.staged.image'),
    [F.verdict]: lambdaTask(
      refs.aggregateFunction,
      // JsonMerge adds the failed state's name to the caught { Error, Cause } (AggregateInput.error.state).
      {
        'input.$': '$$.Execution.Input',
        'image.$': '$.failure.image',
        'error.$': 'States.JsonMerge($.error, $.failure.where, false)',
        ...EXECUTION_REF,
      },
      timeouts.aggregate,
      {
        Comment: 'The aggregate function turns the caught error into a review or reject verdict that names it.',
        OutputPath: '$.Payload',
        Catch: catchAll(F.routeFallback, '$.failSafeError'),
        Next: F.routeVerdict,
      },
    ),
    // A separate Choice without an Approved branch: even a wrong answer here cannot approve. A fail-safe
    // review of a staged image is requested like any other (listed, notified, decided by a person).
    [F.routeVerdict]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.decision', StringEquals: 'reject', Next: S.rejected },
        { Variable: '$.image.sha256', IsPresent: true, Next: S.requestReview },
      ],
      Default: S.review,
    },
    // Where RequestReview's own failure and an expired review end: never asks for a review again.
    [F.routeUnreviewed]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.decision', StringEquals: 'reject', Next: S.rejected }],
      Default: S.review,
    },
    [F.routeFallback]: {
      Type: 'Choice',
      Choices: [{ Or: REJECTING_ERRORS.map((name) => ({ Variable: '$.error.Error', StringEquals: name })), Next: F.fallbackReject }],
      Default: F.fallbackReview,
    },
    [F.fallbackReview]: fallbackVerdict('review'),
    [F.fallbackReject]: fallbackVerdict('reject'),
  };

  if (review.mode === 'wait') {
    // Only a waiting task can time out; an unreachable state is invalid ASL.
    states[S.reviewExpired] = verdictsTask(
      { action: 'expireReview', 'verdict.$': '$', 'error.$': '$.reviewError', outcome: review.timeoutOutcome },
      {
        OutputPath: '$.Payload',
        Comment: `Nobody decided before the deadline: the item is marked expired and the image ends ${review.timeoutOutcome === 'reject' ? 'Rejected' : 'NeedsReview'} (never Approved).`,
        Catch: catchAll(F.routeUnreviewed, '$.expireError'),
        Next: F.routeUnreviewed,
      },
    );
  }

  return {
    Comment: 'Moderates one blog image: fetch and stage it, classify and safety-check it in parallel, then approve, review or reject.',
    StartAt: S.fetch,
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS + (review.mode === 'wait' ? review.timeoutSeconds : 0),
    States: states,
  };
}
