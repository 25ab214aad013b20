/**
 * Runs the deployed definition in-process with aws-local-stepfunctions. Only the adapters differ from
 * AWS: each Task is bound to a local function, Lambda results are wrapped as the optimized integration
 * returns them, and thrown errors look like Lambda's (name = errorType, Cause = JSON).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { ModerationInput, Verdict } from '../../functions/shared/contracts/index.js';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { executionName } from '../../functions/shared/moderation-input.js';
import type { AslDefinition, JsonValue, TaskState } from '../asl.js';
import { walkStates } from '../asl.js';
import { LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT } from '../definition.js';
import type { LocalTaskTokens } from './task-tokens.js';

/** A step as the engine calls it: the Lambda's event in, its result out (or a thrown named Error). */
export type StepHandler = (payload: unknown) => Promise<unknown>;

/** Step Functions' cap on a state's input or output. Not enforced by the local engine, so enforced here. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export type EngineEvent = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

export interface LocalEngineOptions {
  /**
   * Handlers keyed by the Task's FunctionName (lambda:invoke) or by its Resource (SDK integrations), so
   * AggregateVerdict and FailSafeVerdict share the aggregate function exactly as they do on AWS.
   */
  handlers: Record<string, StepHandler>;
  /** Milliseconds per retry, by state name: tests skip the real backoff waits. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Needed to run `.waitForTaskToken` tasks (a STANDARD definition's RequestReview): tokens and their resumption. */
  taskTokens?: LocalTaskTokens;
}

export type FinalState = typeof STATE_NAMES.approved | typeof STATE_NAMES.review | typeof STATE_NAMES.rejected;

export interface LocalExecution {
  /** The Succeed state the execution ended in. */
  status: FinalState;
  verdict: Verdict;
  /** Wall time per state (entered → exited, retries included), by state name; Parallel branches too. */
  timings: Record<string, number>;
  /** Retries per state name (0 when absent). */
  retries: Record<string, number>;
  /** States in the order they were entered (branch states interleave). */
  path: string[];
  totalMs: number;
  /** Largest state input or output seen, as JSON bytes: must stay under PAYLOAD_LIMIT_BYTES. */
  maxPayloadBytes: number;
  events: EngineEvent[];
}

/** The execution itself failed (no Catch took it): a definition bug, never a verdict. */
export class ExecutionFailed extends Error {
  constructor(
    readonly error: string,
    readonly detail: string,
    /** The engine's event log up to the failure, so the run can still be recorded and inspected. */
    readonly events: EngineEvent[] = [],
  ) {
    super(`The state machine execution failed with ${error}: ${detail}. This is a bug in the definition or the engine adapter, not a moderation result.`);
    this.name = 'ExecutionFailed';
  }
}

const FINAL_STATES: readonly string[] = [STATE_NAMES.approved, STATE_NAMES.review, STATE_NAMES.rejected];

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v ?? null));
}

/** The error as Lambda reports it: errorType is the name Retry/Catch match, Cause is a JSON document. */
function asLambdaError(err: unknown): Error {
  const name = err instanceof Error && err.name ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  const e = new Error(JSON.stringify({ errorType: name, errorMessage: message }));
  e.name = name;
  return e;
}

function dataLimitExceeded(what: string, bytes: number): Error {
  const e = new Error(`${what} is ${bytes} bytes, over Step Functions' ${PAYLOAD_LIMIT_BYTES}-byte limit; pass a pointer to the staging store instead.`);
  e.name = 'States.DataLimitExceeded';
  return e;
}

function bindTask(
  stateName: string,
  task: TaskState,
  handlers: Record<string, StepHandler>,
  tokens?: LocalTaskTokens,
): (input: JsonValue) => Promise<JsonValue> {
  if (task.Resource === LAMBDA_INVOKE_WAIT) {
    const fn = task.Parameters?.FunctionName;
    const handler = typeof fn === 'string' ? handlers[fn] : undefined;
    if (!handler || !tokens) {
      throw new ConfigError(
        `Task ${stateName} waits for a task token (${JSON.stringify(fn)}): bind its function and give the engine LocalTaskTokens, or build the definition with review mode "queue".`,
      );
    }
    return async (input) => {
      const { Payload } = (input ?? {}) as { Payload?: { taskToken?: string } };
      const event = JSON.parse(JSON.stringify(Payload ?? null)) as { taskToken?: string } | null;
      if (!event?.taskToken) throw new ConfigError(`Task ${stateName} got no taskToken in its payload.`);
      const resumed = tokens.wait(event.taskToken, task.TimeoutSeconds * 1000);
      try {
        // As in AWS the function's own answer is ignored: the task's result is what SendTaskSuccess sends.
        await handler(event);
      } catch (err) {
        throw asLambdaError(err);
      }
      return (await resumed) as JsonValue;
    };
  }
  if (task.Resource === LAMBDA_INVOKE) {
    const fn = task.Parameters?.FunctionName;
    const handler = typeof fn === 'string' ? handlers[fn] : undefined;
    if (!handler) {
      throw new ConfigError(
        `Task ${stateName} invokes ${JSON.stringify(fn)} but no local handler is bound to it. Bind every function the definition names (an unbound Task would call real AWS).`,
      );
    }
    return async (input) => {
      const { Payload } = (input ?? {}) as { Payload?: unknown };
      // Lambda receives and returns JSON: serialise both ways so local runs cannot pass what AWS would not.
      const event: unknown = JSON.parse(JSON.stringify(Payload ?? null));
      let result: unknown;
      try {
        result = await handler(event);
      } catch (err) {
        throw asLambdaError(err);
      }
      const json = JSON.stringify(result ?? null);
      if (Buffer.byteLength(json) > PAYLOAD_LIMIT_BYTES) throw dataLimitExceeded(`${stateName}'s result`, Buffer.byteLength(json));
      return { Payload: JSON.parse(json) as JsonValue, StatusCode: 200 };
    };
  }
  const handler = handlers[task.Resource];
  if (!handler) {
    throw new ConfigError(
      `Task ${stateName} uses ${task.Resource} but no local handler is bound to it. Bind every Task (an unbound Task would call real AWS).`,
    );
  }
  return async (input) => {
    try {
      return JSON.parse(JSON.stringify((await handler(input)) ?? null)) as JsonValue;
    } catch (err) {
      // SDK integrations name errors Service.Exception; the handler throws them with that name already.
      throw err instanceof Error ? err : asLambdaError(err);
    }
  };
}

/** The client's name for this request; a hostile input that is not even a request still gets one. */
function localExecutionName(input: ModerationInput): string {
  const i = input as Partial<Record<keyof ModerationInput, unknown>>;
  return executionName({ imageUrl: String(i.imageUrl), postId: typeof i.postId === 'string' ? i.postId : undefined });
}

export class LocalEngine {
  private readonly machine: StateMachine;
  private readonly overrides: Record<string, (input: JsonValue) => Promise<JsonValue>>;

  /** Validates and binds once: building the engine's StateMachine costs about 65 ms. */
  constructor(
    readonly definition: AslDefinition,
    private readonly options: LocalEngineOptions,
  ) {
    this.overrides = {};
    for (const { name, state } of walkStates(definition)) {
      if (state.Type === 'Task') this.overrides[name] = bindTask(name, state, options.handlers, options.taskTokens);
    }
    // The engine adds QueryLanguage to every state it is given: keep the caller's definition pristine.
    this.machine = new StateMachine(structuredClone(definition) as ConstructorParameters<typeof StateMachine>[0]);
  }

  async run(input: ModerationInput): Promise<LocalExecution> {
    const started = performance.now();
    const execution = this.machine.run(input as unknown as JsonValue, {
      context: {
        // The engine fills Input and StartTime; the name is the one the publisher's client would give it.
        Execution: { Name: localExecutionName(input) },
        // One token per execution (the definition has at most one waiting task).
        ...(this.options.taskTokens ? { Task: { Token: this.options.taskTokens.newToken() } } : {}),
      },
      overrides: { taskResourceLocalHandlers: this.overrides, retryIntervalOverrides: this.options.retryIntervalOverrides },
    });
    let output: unknown;
    let failure: unknown;
    try {
      output = await execution.result;
    } catch (err) {
      failure = err;
    }
    const totalMs = performance.now() - started;
    const events: EngineEvent[] = [];
    for await (const ev of execution.eventLogs) events.push(ev);
    if (failure !== undefined) {
      const failed = events.find((e) => e?.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
      throw new ExecutionFailed(
        failed?.Error ?? (failure as Error).name,
        typeof failed?.Cause === 'string' ? failed.Cause : JSON.stringify(failed?.Cause ?? (failure as Error).message),
        events,
      );
    }
    return { ...summarizeEvents(events), verdict: output as Verdict, totalMs, events };
  }
}

/** Timings, retries, path, final state and payload sizes from the engine's event log. */
export function summarizeEvents(events: EngineEvent[]): Omit<LocalExecution, 'verdict' | 'totalMs' | 'events'> {
  const entered = new Map<string, number>();
  const timings: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const path: string[] = [];
  let status: FinalState | undefined;
  let maxPayloadBytes = 0;
  for (const ev of events) {
    if (!ev || !('state' in ev) || !ev.state) continue;
    const name = ev.state.name;
    maxPayloadBytes = Math.max(maxPayloadBytes, jsonBytes(ev.state.input), jsonBytes(ev.state.output));
    switch (ev.type) {
      case 'StateEntered':
        entered.set(name, ev.timestamp);
        path.push(name);
        if (FINAL_STATES.includes(name)) status = name as FinalState;
        break;
      case 'StateExited': {
        const t0 = entered.get(name);
        if (t0 !== undefined) timings[name] = (timings[name] ?? 0) + (ev.timestamp - t0);
        break;
      }
      case 'StateRetried':
        retries[name] = (retries[name] ?? 0) + 1;
        break;
      default:
        break;
    }
  }
  if (!status) throw new ExecutionFailed('NoFinalState', `the execution ended without entering ${FINAL_STATES.join(', ')}`);
  return { status, timings, retries, path, maxPayloadBytes };
}
