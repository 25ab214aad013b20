/**
 * What the state machine writes to its CloudWatch log group. Step Functions logs every execution history
 * event at level ALL; with execution data it also logs each state's input and output and each Task's
 * resolved Parameters (the TaskScheduled event's `parameters`). A waiting RequestReview's Parameters carry
 * `$$.Task.Token`, and whoever holds that token can resume the execution with any verdict, so a
 * definition that passes a task token anywhere is logged without execution data: event types, state
 * names, timestamps and error names stay; inputs, outputs and parameters are left to the execution
 * history (GetExecutionHistory, operators only). A definition without tokens (EXPRESS, whose only history
 * is this log) keeps its data.
 */
import type { AslDefinition } from '../workflows/asl.js';

export interface WorkflowLogging {
  level: 'ALL';
  includeExecutionData: boolean;
}

/** The context object's task token, as a definition references it. */
export const TASK_TOKEN_PATH = '$$.Task.Token';

/** Any mention counts (Parameters, ItemSelector, ResultSelector, in any branch): a false alarm only costs log detail. */
export function passesTaskToken(definition: AslDefinition): boolean {
  return JSON.stringify(definition).includes(TASK_TOKEN_PATH);
}

export function workflowLogging(definition: AslDefinition): WorkflowLogging {
  return { level: 'ALL', includeExecutionData: !passesTaskToken(definition) };
}
