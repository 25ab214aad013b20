/**
 * Alarms that page someone: failed and timed-out executions, classifier errors and throttles, and an
 * abnormal review or reject rate (a new model, a policy change or a burst of bad images: the workflow
 * still "works" while the publisher's queue fills).
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { createAlarmTopic, type AlarmTopicOptions } from './alarm-topic.js';
import { decisionRateQueries, type DecisionRateSettings } from './decision-rates.js';

/** Pages on any occurrence: the Sum of a count metric over 5 minutes reaching 1. */
export function countAlarm(
  prefix: string,
  topic: aws.sns.Topic,
  name: string,
  metric: { namespace: string; metricName: string; dimensions: Record<string, pulumi.Input<string>> },
  description: string,
  tags: Record<string, string>,
) {
  return new aws.cloudwatch.MetricAlarm(`${prefix}-${name}`, {
    ...metric,
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmDescription: description,
    alarmActions: [topic.arn],
    okActions: [topic.arn],
    tags,
  });
}

export interface RateAlarmSettings extends DecisionRateSettings {
  reviewPercent: number;
  rejectPercent: number;
}

export function createAlarms(
  prefix: string,
  stateMachine: aws.sfn.StateMachine,
  classifier: aws.lambda.Function,
  rates: RateAlarmSettings,
  accountId: pulumi.Input<string>,
  tags: Record<string, string>,
  topicOptions: AlarmTopicOptions = {},
) {
  const { topic, policy: topicPolicy } = createAlarmTopic(prefix, accountId, tags, topicOptions);
  const alarm = (name: string, namespace: string, metricName: string, dimensions: Record<string, pulumi.Input<string>>, description: string) =>
    countAlarm(prefix, topic, name, { namespace, metricName, dimensions }, description, tags);
  const rateAlarm = (decision: 'review' | 'reject', percent: number) =>
    new aws.cloudwatch.MetricAlarm(`${prefix}-${decision}-rate`, {
      metricQueries: decisionRateQueries(rates, decision),
      evaluationPeriods: 1,
      threshold: percent,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmDescription:
        `More than ${percent}% of at least ${rates.minDecisions} images in ${rates.periodSeconds / 60} minutes ended in ${decision}. ` +
        'The dashboard shows which category and which source (classifier or safety engine) drive it; a new model or policy is the usual cause.',
      alarmActions: [topic.arn],
      okActions: [topic.arn],
      tags,
    });
  // AWS's own series: AWS/States execution metrics by StateMachineArn
  // (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html) and AWS/Lambda
  // Errors/Throttles by FunctionName (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
  // Ours (the rates, ReviewsExpired) are built from metric-names.ts through infra/custom-metrics.ts.
  const sm = { StateMachineArn: stateMachine.arn };
  const fn = { FunctionName: classifier.name };
  return {
    topic,
    topicPolicy,
    alarms: [
      alarm(
        'executions-failed',
        'AWS/States',
        'ExecutionsFailed',
        sm,
        'A moderation execution failed (the fail-safe path should make this rare): look at the execution in the Step Functions console.',
      ),
      alarm('executions-timed-out', 'AWS/States', 'ExecutionsTimedOut', sm, 'A moderation execution timed out.'),
      alarm('classifier-errors', 'AWS/Lambda', 'Errors', fn, 'The classifier Lambda returned errors (model load, EFS mount, bad input).'),
      alarm('classifier-throttles', 'AWS/Lambda', 'Throttles', fn, 'The classifier hit its reserved concurrency: raise reservedConcurrency or expect retries.'),
      rateAlarm('review', rates.reviewPercent),
      rateAlarm('reject', rates.rejectPercent),
    ],
  };
}
