/**
 * The small subset of the Amazon States Language (JSONPath flavour) our definition uses. Our own types
 * rather than the engine's `StateMachineDefinition`: the builder must not depend on a dev dependency
 * that the Pulumi program and the Lambdas never load, and `asl-types` is stale.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}

interface StateBase {
  Comment?: string;
  InputPath?: string;
  OutputPath?: string;
}

/** Either Next or End (the builder sets exactly one). */
interface Transition {
  Next?: string;
  End?: true;
}

export interface TaskState extends StateBase, Transition {
  Type: 'Task';
  Resource: string;
  Parameters?: JsonObject;
  ResultSelector?: JsonObject;
  ResultPath?: string;
  TimeoutSeconds: number;
  /** Callback tasks (.waitForTaskToken) only. */
  HeartbeatSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface ParallelState extends StateBase, Transition {
  Type: 'Parallel';
  Branches: AslStateMachine[];
  Parameters?: JsonObject;
  ResultSelector?: JsonObject;
  ResultPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

/** An inline Map: ItemProcessor runs once per item of ItemsPath, results in item order. */
export interface MapState extends StateBase, Transition {
  Type: 'Map';
  ItemsPath?: string;
  ItemSelector?: JsonObject;
  ItemProcessor: AslStateMachine & { ProcessorConfig?: { Mode: 'INLINE' } };
  MaxConcurrency?: number;
  ResultSelector?: JsonObject;
  ResultPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends StateBase, Transition {
  Type: 'Pass';
  Parameters?: JsonObject;
  Result?: JsonValue;
  ResultPath?: string;
}

/** A Choice rule: one comparison on a Variable, or a boolean combination of rules. */
export type ChoiceRule =
  | ({ Variable: string } & ({ StringEquals: string } | { IsPresent: boolean } | { BooleanEquals: boolean } | { NumericEquals: number }))
  | { Or: ChoiceRule[] }
  | { And: ChoiceRule[] }
  | { Not: ChoiceRule };

export type ChoiceBranch = ChoiceRule & { Next: string };

export interface ChoiceState extends StateBase {
  Type: 'Choice';
  Choices: ChoiceBranch[];
  Default?: string;
}

export interface SucceedState extends StateBase {
  Type: 'Succeed';
}

export interface FailState {
  Type: 'Fail';
  Comment?: string;
  Error?: string;
  Cause?: string;
}

export type AslState = TaskState | ParallelState | MapState | PassState | ChoiceState | SucceedState | FailState;

/** A state machine or a Parallel branch (branches have no TimeoutSeconds of their own). */
export interface AslStateMachine {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}

export interface AslDefinition extends AslStateMachine {
  TimeoutSeconds?: number;
}

/** Every state of a definition with the path of state names that leads to it (Parallel branches and Map processors included). */
export function* walkStates(machine: AslStateMachine, parents: string[] = []): Generator<{ name: string; state: AslState; parents: string[] }> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield { name, state, parents };
    if (state.Type === 'Parallel') {
      for (const branch of state.Branches) yield* walkStates(branch, [...parents, name]);
    }
    if (state.Type === 'Map') yield* walkStates(state.ItemProcessor, [...parents, name]);
  }
}
