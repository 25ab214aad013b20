/**
 * The review service in AWS: the verdict + review store in one DynamoDB table (on-demand, encrypted, point-in-time recovery,
 * a TTL on task-token items only: verdicts are kept until the ruleset changes), the moderators' SNS topic with an optional email
 * subscription, the VerdictStep Lambda the state machine calls (lookup, record, request review, expire),
 * the schedule that ends reviews past their deadline nothing else ended, the review CLI's policy,
 * and the alarm on reviews nobody decided before their deadline.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { METRICS } from '../functions/shared/telemetry/metric-names.js';
import type { ReviewTimeoutOutcome, VerdictStepInput } from '../functions/shared/contracts/index.js';
import { VERDICT_TABLE_SCHEMA } from '../functions/shared/verdict-store/dynamodb.js';
import { countAlarm } from './alarms.js';
import { bundleFunction } from './build/bundle.js';
import { customMetric, type MetricsSettings } from './custom-metrics.js';
import type { LambdaNodeRuntime } from './build/runtime.js';
import { lambdaWith } from './lambda.js';
import { taskTokenCallbacks } from './iam.js';
import { telemetryEnv, type TelemetrySettings } from './log-groups.js';

export interface VerdictsArgs {
  prefix: string;
  reviewEmail?: string;
  architecture: 'x86_64' | 'arm64';
  telemetry: TelemetrySettings;
  runtime: LambdaNodeRuntime;
  logRetentionDays: number;
  tags: Record<string, string>;
  /**
   * The schedule that invokes this Lambda (action expireDue) to end reviews past their deadline: queued
   * ones (EXPRESS: nothing waits on them) at once, ones a STANDARD execution waits on only an hour after
   * their deadline (their own ReviewExpired ends them; the sweep catches a stopped execution's).
   */
  sweep: { rateMinutes: number; outcome: ReviewTimeoutOutcome };
}

/** Reviews one scheduled sweep ends at most (the rest wait for the next run): well inside the Lambda's 10 s. */
export const SWEEP_LIMIT = 200;

export function createVerdicts(a: VerdictsArgs) {
  const { hashKey, rangeKey, statusIndex } = VERDICT_TABLE_SCHEMA;
  const table = new aws.dynamodb.Table(`${a.prefix}-verdicts`, {
    name: `${a.prefix}-verdicts`,
    billingMode: 'PAY_PER_REQUEST',
    hashKey,
    rangeKey,
    attributes: [hashKey, rangeKey, statusIndex.hashKey, statusIndex.rangeKey].map((name) => ({ name, type: 'S' })),
    globalSecondaryIndexes: [{ name: statusIndex.name, hashKey: statusIndex.hashKey, rangeKey: statusIndex.rangeKey, projectionType: 'ALL' }],
    // A KMS key (AWS managed, aws/dynamodb) rather than the default AWS-owned one: its use shows in CloudTrail.
    serverSideEncryption: { enabled: true },
    pointInTimeRecovery: { enabled: true },
    // Only task-token items carry the attribute: a week after their execution's deadline they go.
    ttl: { attributeName: VERDICT_TABLE_SCHEMA.ttlAttribute, enabled: true },
    deletionProtectionEnabled: true,
    tags: a.tags,
  });
  const indexArn = pulumi.interpolate`${table.arn}/index/${statusIndex.name}`;

  const topic = new aws.sns.Topic(`${a.prefix}-reviews`, { kmsMasterKeyId: 'alias/aws/sns', tags: a.tags });
  const subscription = a.reviewEmail
    ? new aws.sns.TopicSubscription(`${a.prefix}-reviews-email`, { topic: topic.arn, protocol: 'email', endpoint: a.reviewEmail })
    : undefined;

  const fn = lambdaWith(
    a.prefix,
    'verdicts',
    a,
    [
      { Sid: 'DescribeTheVerdictTable', Effect: 'Allow', Action: ['dynamodb:DescribeTable'], Resource: table.arn },
      { Sid: 'ReadAndWriteVerdictsAndReviews', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], Resource: table.arn },
      { Sid: 'NotifyModerators', Effect: 'Allow', Action: ['sns:Publish'], Resource: topic.arn },
      // A photo decided while a second execution was starting: that execution is resumed at once.
      taskTokenCallbacks(['states:SendTaskSuccess']),
      // The sweep reads the pending partition of the status index (nothing else in the Lambda reads the index).
      { Sid: 'FindDueReviews', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: indexArn },
    ],
    {
      packageType: 'Zip',
      runtime: a.runtime.id,
      handler: 'index.handler',
      code: bundleFunction('verdicts', a.runtime.nodeMajor),
      memorySize: 256,
      timeout: 10,
      environment: {
        variables: {
          VERDICT_TABLE: table.name,
          REVIEW_TOPIC_ARN: topic.arn,
          ...telemetryEnv(a.telemetry),
        },
      },
    },
  );

  // For whoever runs `npm run review -- ... --stack`: read the queue, record decisions, resume executions.
  const reviewerPolicy = new aws.iam.Policy(`${a.prefix}-reviewer`, {
    description: 'Moderators: list and decide review items, resume the waiting moderation executions',
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadVerdictsAndReviews',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
          Resource: [table.arn, indexArn],
        },
        { Sid: 'RecordDecisions', Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: table.arn },
        taskTokenCallbacks(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']),
      ],
    }),
    tags: a.tags,
  });

  const sweep = createReviewSweep(a.prefix, fn.fn, a.sweep, a.tags);

  return { table, topic, subscription, fn, reviewerPolicy, sweep };
}

/**
 * An EventBridge rule on a rate invokes the verdicts Lambda with { action: 'expireDue' }: a rule and a
 * resource-based permission limited to it, rather than EventBridge Scheduler, which would need a role
 * of its own to assume.
 */
function createReviewSweep(prefix: string, fn: aws.lambda.Function, s: { rateMinutes: number; outcome: ReviewTimeoutOutcome }, tags: Record<string, string>) {
  const rule = new aws.cloudwatch.EventRule(`${prefix}-review-sweep`, {
    name: `${prefix}-review-sweep`,
    description: `Ends reviews past their deadline that nothing else ended, with the timeout outcome (${s.outcome}, never approve)`,
    scheduleExpression: `rate(${s.rateMinutes} ${s.rateMinutes === 1 ? 'minute' : 'minutes'})`,
    tags,
  });
  const event: VerdictStepInput = { action: 'expireDue', outcome: s.outcome, limit: SWEEP_LIMIT };
  const permission = new aws.lambda.Permission(`${prefix}-review-sweep`, {
    action: 'lambda:InvokeFunction',
    function: fn.name,
    principal: 'events.amazonaws.com',
    sourceArn: rule.arn,
  });
  const target = new aws.cloudwatch.EventTarget(
    `${prefix}-review-sweep`,
    {
      rule: rule.name,
      arn: fn.arn,
      input: JSON.stringify(event),
      // A failed sweep is simply run again at the next tick: no retries piling up behind it.
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 * s.rateMinutes },
    },
    { dependsOn: [permission] },
  );
  return { rule, permission, target };
}

/**
 * Pages whoever watches the stack's alarm topic when a review passed its deadline undecided. Reads the
 * ReviewsExpired count the verdict Lambda emits (EMF) under the stack's metrics namespace and service.
 */
export function createReviewExpiredAlarm(prefix: string, alarmTopic: aws.sns.Topic, metrics: MetricsSettings, tags: Record<string, string>) {
  return countAlarm(
    prefix,
    alarmTopic,
    'reviews-expired',
    customMetric(metrics, METRICS.reviewsExpired, {}),
    "A review passed its deadline without a decision: the image ended with the timeout outcome (never approved). Decide it with npm run review so the next submission gets the decision, and look at the moderators' queue.",
    tags,
  );
}
