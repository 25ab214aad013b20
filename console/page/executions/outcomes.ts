/** How a state's outcome reads (the graph's colours, the legend, the detail pane). */
import type { StateOutcome } from '../../server/api.js';

/** A state's outcome in one execution; `notrun` when the run never entered it. */
export type NodeOutcome = StateOutcome | 'notrun';

export const OUTCOME_LABEL: Record<NodeOutcome, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  caught: 'caught (error handled)',
  running: 'did not finish',
  notrun: 'not run',
};
