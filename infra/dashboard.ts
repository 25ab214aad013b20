/**
 * One CloudWatch dashboard for an operator who sees a review spike: decisions by category and source over
 * time, review and reject rates, p50/p95 per step, cold starts and model load time, errors by name, the
 * safety engine's latency, and reviews that expired undecided.
 *
 * Every graph reads a metric something really emits. Ours (namespace BlogImageModeration by default) are
 * addressed through infra/custom-metrics.ts, i.e. by the names and dimension sets in
 * functions/shared/telemetry/metric-names.ts. AWS's are cited where they are used.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { STATE_NAMES } from '../functions/shared/contracts/states.js';
import { METRICS, STEP_NAMES } from '../functions/shared/telemetry/metric-names.js';
import { customMetric, searchExpression, widgetMetric } from './custom-metrics.js';
import { decisionRateQueries, type DecisionRateSettings } from './decision-rates.js';

export interface DashboardArgs {
  prefix: string;
  region: string;
  rates: DecisionRateSettings;
  stateMachine: aws.sfn.StateMachine;
  functionNames: pulumi.Input<string>[];
  safetyEngine: 'rekognition' | 'local';
}

type Widget = Record<string, unknown>;

/**
 * Rekognition's own latency. Step Functions' ServiceIntegration* metrics (AWS/States, dimension
 * ServiceIntegrationResourceArn, "the resource ARN of the integrated service":
 * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html) are documented for the
 * optimized integrations; nothing documents them for AWS SDK integrations such as
 * arn:aws:states:::aws-sdk:rekognition:detectModerationLabels, whose Resource is not a resource ARN.
 * Rekognition itself publishes ResponseTime in AWS/Rekognition with the dimension Operation
 * (https://docs.aws.amazon.com/rekognition/latest/dg/rekognition-monitoring.html). It covers every
 * DetectModerationLabels call of the account in the region, not only this stack's.
 */
export const REKOGNITION_LATENCY = { namespace: 'AWS/Rekognition', metricName: 'ResponseTime', dimensions: { Operation: 'DetectModerationLabels' } } as const;

export function dashboardWidgets(a: {
  region: string;
  rates: DecisionRateSettings;
  stateMachineArn: string;
  functionNames: string[];
  safetyEngine: 'rekognition' | 'local';
}): Widget[] {
  const s = a.rates;
  // Each entry of a widget's `metrics` is an array, an expression one included: [{ expression, id, label }]
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
  const search = (metric: Parameters<typeof searchExpression>[1], stat: string) => [
    { expression: searchExpression(s, metric, stat), id: `search_${metric.toLowerCase()}`, label: metric },
  ];
  const widget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}, w = 12): Widget => ({
    type: 'metric',
    width: w,
    height: 6,
    properties: { title, region: a.region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
  });
  const rateMetrics = (decision: 'review' | 'reject') =>
    decisionRateQueries({ ...a.rates, periodSeconds: 300 }, decision).map((q) =>
      'expression' in q ? [{ expression: q.expression, label: q.label, id: q.id }] : widgetMetric(q.metric, { id: q.id, stat: 'Sum', visible: false }),
    );
  // With Rekognition, CheckSafety is a state machine SDK call, not one of our steps: it has no StepDuration.
  const steps = STEP_NAMES.filter((step) => a.safetyEngine === 'local' || step !== STATE_NAMES.safety);
  const stepDuration = (step: (typeof STEP_NAMES)[number]) => customMetric(s, METRICS.stepDuration, { step });
  const perStep = steps.flatMap((step) => [
    widgetMetric(stepDuration(step), { stat: 'p50', label: `${step} p50` }),
    widgetMetric(stepDuration(step), { stat: 'p95', label: `${step} p95` }),
  ]);
  const R = REKOGNITION_LATENCY;
  const safetyLatency =
    a.safetyEngine === 'rekognition'
      ? [
          [R.namespace, R.metricName, 'Operation', R.dimensions.Operation, { stat: 'p50', label: 'Rekognition DetectModerationLabels p50 (account)' }],
          [R.namespace, R.metricName, 'Operation', R.dimensions.Operation, { stat: 'p95', label: 'Rekognition DetectModerationLabels p95 (account)' }],
        ]
      : [
          widgetMetric(stepDuration(STATE_NAMES.safety), { stat: 'p50', label: 'local safety p50' }),
          widgetMetric(stepDuration(STATE_NAMES.safety), { stat: 'p95', label: 'local safety p95' }),
        ];
  return [
    widget('Decisions by category and source (reviews and rejects)', [search(METRICS.decisionReasons, 'Sum')], { stacked: true }),
    widget('Decisions', [search(METRICS.decisions, 'Sum')], { stacked: true }),
    widget('Review rate (%)', rateMetrics('review'), { yAxis: { left: { min: 0, max: 100 } } }, 6),
    widget('Reject rate (%)', rateMetrics('reject'), { yAxis: { left: { min: 0, max: 100 } } }, 6),
    widget('Step duration p50 / p95 (ms)', perStep),
    widget('Cold starts and model load time (ms)', [search(METRICS.coldStart, 'Sum'), search(METRICS.modelLoadTime, 'Maximum')]),
    widget(
      'Errors by name',
      [
        search(METRICS.stepErrors, 'Sum'),
        // AWS/States execution metrics, dimension StateMachineArn (procedure-cw-metrics.html, as above).
        ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', a.stateMachineArn, { stat: 'Sum' }],
        ['AWS/States', 'ExecutionsTimedOut', 'StateMachineArn', a.stateMachineArn, { stat: 'Sum' }],
      ],
      { stacked: true },
    ),
    widget(`Safety latency (${a.safetyEngine}) (ms)`, safetyLatency),
    widget('Fetch: bytes and latency', [
      widgetMetric(customMetric(s, METRICS.fetchLatency, {}), { stat: 'p95', label: 'fetch latency p95 (ms)' }),
      widgetMetric(customMetric(s, METRICS.fetchBytes, {}), { stat: 'Average', label: 'bytes (avg)', yAxis: 'right' }),
    ]),
    widget('Reviews expired undecided', [widgetMetric(customMetric(s, METRICS.reviewsExpired, {}), { stat: 'Sum', label: 'ReviewsExpired' })], {}, 6),
    widget(
      'Lambda errors and throttles',
      // AWS/Lambda Errors and Throttles, dimension FunctionName (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
      a.functionNames.flatMap((fn) => [
        ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum' }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', fn, { stat: 'Sum' }],
      ]),
      {},
      18,
    ),
  ];
}

export function createDashboard(a: DashboardArgs) {
  const body = pulumi
    .all([a.stateMachine.arn, pulumi.all(a.functionNames)])
    .apply(([stateMachineArn, functionNames]) =>
      JSON.stringify({ widgets: dashboardWidgets({ region: a.region, rates: a.rates, stateMachineArn, functionNames, safetyEngine: a.safetyEngine }) }),
    );
  return new aws.cloudwatch.Dashboard(`${a.prefix}-dashboard`, { dashboardName: `${a.prefix}-moderation`, dashboardBody: body });
}
