/**
 * The custom metrics' names and dimensions, in one place: the handlers emit them (EMF, through the entry
 * wrapper) and the dashboard and alarms in infra/ read them, so a rename cannot leave a graph empty.
 */
export const METRICS = {
  /** Powertools' own cold-start count (dimensions: service, function_name). */
  coldStart: 'ColdStart',
  /** Milliseconds to resolve and load a model into a session (dimensions: service, step, model). */
  modelLoadTime: 'ModelLoadTime',
  /** Milliseconds a step's handler took (dimensions: service, step). */
  stepDuration: 'StepDuration',
  /** Errors a step raised, by name (dimensions: service, step, error). */
  stepErrors: 'StepErrors',
  /** Image bytes fetched and accepted (dimensions: service). */
  fetchBytes: 'FetchBytes',
  /** Milliseconds from the first request to the validated, staged image (dimensions: service). */
  fetchLatency: 'FetchLatency',
  /** Verdicts by decision (dimensions: service, decision). */
  decisions: 'Decisions',
  /** Reasons for a review or reject by category and source (dimensions: service, decision, category, source). */
  decisionReasons: 'DecisionReasons',
} as const;

/** The dimension values of `step`: the console's state names. */
export type StepName = 'FetchImage' | 'ClassifyImage' | 'CheckSafety' | 'AggregateVerdict';
