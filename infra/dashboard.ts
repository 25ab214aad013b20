/**
 * One CloudWatch dashboard for an operator who sees a review spike: decisions by category and source over
 * time, review and reject rates, p50/p95 per step, cold starts and model load time, errors by name, and
 * the safety engine's latency (Rekognition's SDK integration, or the local safety function).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { METRICS } from '../functions/shared/telemetry/metric-names.js';
import { decisionRateQueries, type DecisionRateSettings } from './decision-rates.js';
import { REKOGNITION_MODERATION } from '../workflows/definition.js';

export interface DashboardArgs {
  prefix: string;
  region: string;
  rates: DecisionRateSettings;
  stateMachine: aws.sfn.StateMachine;
  functionNames: pulumi.Input<string>[];
  safetyEngine: 'rekognition' | 'local';
}

const STEPS = ['FetchImage', 'ClassifyImage', 'CheckSafety', 'AggregateVerdict'] as const;

type Widget = Record<string, unknown>;

export function dashboardWidgets(a: {
  region: string;
  rates: DecisionRateSettings;
  stateMachineArn: string;
  functionNames: string[];
  safetyEngine: 'rekognition' | 'local';
}): Widget[] {
  const { namespace, service } = a.rates;
  const search = (dims: string, metric: string, stat: string, period = 300) => ({
    expression: `SEARCH('{${namespace},${dims}} MetricName="${metric}" service="${service}"', '${stat}', ${period})`,
  });
  const widget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}, w = 12): Widget => ({
    type: 'metric',
    width: w,
    height: 6,
    properties: { title, region: a.region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
  });
  const rateMetrics = (decision: 'review' | 'reject') =>
    decisionRateQueries({ ...a.rates, periodSeconds: 300 }, decision).map((q) =>
      'expression' in q
        ? [{ expression: q.expression, label: q.label, id: q.id }]
        : [namespace, METRICS.decisions, 'service', service, 'decision', q.metric.dimensions.decision, { id: q.id, stat: 'Sum', visible: false }],
    );
  const perStep = STEPS.flatMap((step) => [
    [namespace, METRICS.stepDuration, 'service', service, 'step', step, { stat: 'p50', label: `${step} p50` }],
    [namespace, METRICS.stepDuration, 'service', service, 'step', step, { stat: 'p95', label: `${step} p95` }],
  ]);
  const safetyLatency =
    a.safetyEngine === 'rekognition'
      ? [
          ['AWS/States', 'ServiceIntegrationTime', 'ServiceIntegrationResourceArn', REKOGNITION_MODERATION, { stat: 'p50', label: 'Rekognition p50' }],
          ['AWS/States', 'ServiceIntegrationTime', 'ServiceIntegrationResourceArn', REKOGNITION_MODERATION, { stat: 'p95', label: 'Rekognition p95' }],
        ]
      : [
          [namespace, METRICS.stepDuration, 'service', service, 'step', 'CheckSafety', { stat: 'p50', label: 'local safety p50' }],
          [namespace, METRICS.stepDuration, 'service', service, 'step', 'CheckSafety', { stat: 'p95', label: 'local safety p95' }],
        ];
  return [
    widget('Decisions by category and source (reviews and rejects)', [search('service,decision,category,source', METRICS.decisionReasons, 'Sum')], {
      stacked: true,
    }),
    widget('Decisions', [search('service,decision', METRICS.decisions, 'Sum')], { stacked: true }),
    widget('Review rate (%)', rateMetrics('review'), { yAxis: { left: { min: 0, max: 100 } } }, 6),
    widget('Reject rate (%)', rateMetrics('reject'), { yAxis: { left: { min: 0, max: 100 } } }, 6),
    widget('Step duration p50 / p95 (ms)', perStep),
    widget('Cold starts and model load time (ms)', [
      search('service,function_name', METRICS.coldStart, 'Sum'),
      search('service,step,model', METRICS.modelLoadTime, 'Maximum'),
    ]),
    widget(
      'Errors by name',
      [search('service,step,error', METRICS.stepErrors, 'Sum'), ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', a.stateMachineArn, { stat: 'Sum' }]],
      { stacked: true },
    ),
    widget(`Safety latency (${a.safetyEngine}) (ms)`, safetyLatency),
    widget('Fetch: bytes and latency', [
      [namespace, METRICS.fetchLatency, 'service', service, { stat: 'p95', label: 'fetch latency p95 (ms)' }],
      [namespace, METRICS.fetchBytes, 'service', service, { stat: 'Average', label: 'bytes (avg)', yAxis: 'right' }],
    ]),
    widget(
      'Lambda errors and throttles',
      a.functionNames.flatMap((fn) => [
        ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum' }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', fn, { stat: 'Sum' }],
      ]),
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
