/**
 * The custom metrics' names and dimensions, in one place: the handlers emit them (EMF, through the entry
 * wrapper) and the dashboard and alarms in infra/ read them, so a rename cannot leave a graph empty.
 */
import { STATE_NAMES } from '../contracts/states.js';

export const METRICS = {
  /** Once per process and step function: the first invocation, which builds the step (a Lambda's cold start). */
  coldStart: 'ColdStart',
  /** Milliseconds to resolve and load a model into a session. */
  modelLoadTime: 'ModelLoadTime',
  /** Milliseconds a step's handler took. */
  stepDuration: 'StepDuration',
  /** Errors a step raised, by name. */
  stepErrors: 'StepErrors',
  /** Image bytes fetched and accepted. */
  fetchBytes: 'FetchBytes',
  /** Milliseconds from the first request to the validated, staged image. */
  fetchLatency: 'FetchLatency',
  /** Verdicts by decision. */
  decisions: 'Decisions',
  /** Reasons for a review or reject by category and source. */
  decisionReasons: 'DecisionReasons',
  /** Reviews nobody decided before their deadline (ReviewExpired ran). */
  reviewsExpired: 'ReviewsExpired',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/**
 * The exact dimension set each metric is emitted with. `service` is Powertools' default dimension (the
 * service name from config); the rest are what the emitting code passes. The dashboard's SEARCH
 * expressions and the alarms are built from this, and a test compares it with real EMF output.
 */
export const METRIC_DIMENSIONS = {
  [METRICS.coldStart]: ['service', 'function_name'],
  [METRICS.modelLoadTime]: ['service', 'step', 'model'],
  [METRICS.stepDuration]: ['service', 'step'],
  [METRICS.stepErrors]: ['service', 'step', 'error'],
  [METRICS.fetchBytes]: ['service'],
  [METRICS.fetchLatency]: ['service'],
  [METRICS.decisions]: ['service', 'decision'],
  [METRICS.decisionReasons]: ['service', 'decision', 'category', 'source'],
  [METRICS.reviewsExpired]: ['service'],
} as const satisfies Record<MetricName, readonly string[]>;

/** The dimension values of `step`: the console's state names of the states a Lambda (or local step) runs. */
export const STEP_NAMES = [
  STATE_NAMES.fetch,
  STATE_NAMES.lookup,
  STATE_NAMES.classify,
  STATE_NAMES.safety,
  STATE_NAMES.aggregate,
  STATE_NAMES.record,
  STATE_NAMES.requestReview,
  STATE_NAMES.reviewExpired,
] as const;
export type StepName = (typeof STEP_NAMES)[number];
