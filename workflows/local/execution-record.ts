/**
 * What a recorded local execution holds (written by execution-log.ts, read by the console): types only,
 * so the console's page can import them without pulling the engine's code into its type check.
 */
import type { ModerationInput, Verdict } from '../../functions/shared/contracts/index.js';
import type { AslDefinition, JsonValue } from '../asl.js';
import type { FinalState } from './engine.js';

/** How a state's (last) visit ended, as the console colours it. */
export type StateOutcome = 'succeeded' | 'failed' | 'caught' | 'running';

export interface StateError {
  Error: string;
  Cause?: string;
}

export interface StateRun {
  name: string;
  /** Parallel states containing this one, outermost first. */
  parents: string[];
  type: string;
  outcome: StateOutcome;
  /** Milliseconds since the execution started. */
  startMs: number;
  durationMs?: number;
  input: JsonValue;
  output?: JsonValue;
  error?: StateError;
  /** One entry per retry: the error that caused it and the attempt number the retrier was on. */
  retries: Array<{ attempt: number; error?: StateError }>;
}

export interface ExecutionRecord {
  version: 1;
  id: string;
  startedAt: string;
  input: ModerationInput;
  status: FinalState | 'FAILED';
  verdict?: Verdict;
  /** When the engine itself failed (no Catch took it). */
  error?: StateError;
  totalMs: number;
  definition: AslDefinition;
  states: StateRun[];
}

/** The short form the console lists. */
export type ExecutionSummary = Pick<ExecutionRecord, 'id' | 'startedAt' | 'input' | 'status' | 'totalMs'> & {
  decision?: Verdict['decision'];
  sha256?: string;
};
