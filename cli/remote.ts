/**
 * The CLI's deployed mode: the same inputs and output as the local engine, answered by the state machine
 * `pulumi up` created, through the publisher's client.
 */
import type { ModerationInput } from '../functions/shared/contracts/index.js';
import { STATE_NAMES } from '../functions/shared/contracts/states.js';
import { ModerationClient, type WorkflowType } from '../client/index.js';
import type { LocalExecution } from '../workflows/local/engine.js';

export interface RemoteWorkflowOptions {
  stateMachineArn: string;
  type: WorkflowType;
  client?: ModerationClient;
}

const FINAL = { approve: STATE_NAMES.approved, review: STATE_NAMES.review, reject: STATE_NAMES.rejected } as const;

export function createRemoteWorkflow(opts: RemoteWorkflowOptions): { run(input: ModerationInput): Promise<LocalExecution> } {
  const client = opts.client ?? new ModerationClient({ stateMachineArn: opts.stateMachineArn, type: opts.type });
  return {
    async run(input) {
      const t0 = performance.now();
      const { executionArn, ...verdict } = await client.moderate(input);
      const totalMs = performance.now() - t0;
      // Per-state timings live in the execution history (console, or GetExecutionHistory, which the
      // publisher policy does not grant): here only the round trip is known.
      return {
        status: FINAL[verdict.decision],
        verdict: verdict,
        timings: {},
        retries: {},
        path: [executionArn],
        totalMs,
        maxPayloadBytes: 0,
        events: [],
      };
    },
  };
}
