/**
 * The state machine, built by the same builder the local engine runs (workflows/definition.ts) with the
 * deployed function ARNs, its role (invoke exactly these functions; Rekognition and the staged objects
 * only with the rekognition engine), a log group at level ALL (execution data only when no task token can
 * be written: workflow-logging.ts), and X-Ray tracing.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Ruleset } from '../functions/shared/contracts/index.js';
import { buildDefinition, type DefinitionRefs, type ReviewSettings } from '../workflows/definition.js';
import { assertValidDefinition } from '../workflows/validate.js';
import { inlinePolicy, serviceRole, type Statement } from './iam.js';
import { STAGING_PREFIX } from './storage.js';
import { workflowLogging } from './workflow-logging.js';

export interface WorkflowArgs {
  prefix: string;
  type: 'STANDARD' | 'EXPRESS';
  fetch: aws.lambda.Function;
  classify: aws.lambda.Function;
  /** What the state machine invokes for ClassifyImage: the alias with provisioned concurrency, else the function. */
  classifyInvokeArn?: pulumi.Input<string>;
  aggregate: aws.lambda.Function;
  safety?: aws.lambda.Function;
  /** The verdict store's step, the ruleset verdicts are recorded under, and how reviews wait. */
  verdicts: { fn: aws.lambda.Function; ruleset: Ruleset; review: ReviewSettings };
  safetyMinConfidence: number;
  stagingBucket: aws.s3.Bucket;
  logRetentionDays: number;
  region: string;
  accountId: pulumi.Input<string>;
  tags: Record<string, string>;
}

export function createWorkflow(a: WorkflowArgs) {
  const name = `${a.prefix}-moderation`;
  const logGroup = new aws.cloudwatch.LogGroup(`${a.prefix}-workflow`, {
    name: `/aws/vendedlogs/states/${name}`,
    retentionInDays: a.logRetentionDays,
    tags: a.tags,
  });
  // The confused-deputy guard: only this account's state machines may assume the role.
  const role = serviceRole(`${a.prefix}-workflow`, 'states.amazonaws.com', a.tags, { StringEquals: { 'aws:SourceAccount': a.accountId } });
  const functions = [a.fetch, a.classify, a.aggregate, a.verdicts.fn, ...(a.safety ? [a.safety] : [])];
  const statements: Statement[] = [
    {
      Sid: 'InvokeTheWorkflowFunctions',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: functions.flatMap((f) => [f.arn, pulumi.interpolate`${f.arn}:*`]),
    },
    {
      Sid: 'LogDeliveryNoResourceLevelPermissions',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      Resource: '*',
    },
    {
      Sid: 'XRayNoResourceLevelPermissions',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      Resource: '*',
    },
  ];
  if (!a.safety) {
    statements.push(
      { Sid: 'RekognitionModerationNoResourceLevelPermissions', Effect: 'Allow', Action: ['rekognition:DetectModerationLabels'], Resource: '*' },
      // Rekognition reads the S3Object with the caller's permissions.
      {
        Sid: 'RekognitionReadsStagedImages',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: pulumi.interpolate`${a.stagingBucket.arn}/${STAGING_PREFIX}*`,
      },
    );
  }
  const policy = inlinePolicy(`${a.prefix}-workflow`, role, statements);

  const built = pulumi
    .all([a.fetch.arn, a.classifyInvokeArn ?? a.classify.arn, a.aggregate.arn, a.safety?.arn ?? pulumi.output(''), a.stagingBucket.bucket, a.verdicts.fn.arn])
    .apply(([fetch, classify, aggregate, safety, bucket, verdicts]) => {
      const refs: DefinitionRefs = {
        fetchImageFunction: fetch,
        classifyFunction: classify,
        aggregateFunction: aggregate,
        safety: safety ? { engine: 'local', function: safety } : { engine: 'rekognition', minConfidence: a.safetyMinConfidence },
        stagingBucket: bucket,
        verdicts: { function: verdicts, ruleset: a.verdicts.ruleset, review: a.verdicts.review },
      };
      return assertValidDefinition(buildDefinition(refs), 'deployed');
    });
  const definition = built.apply((d) => JSON.stringify(d));

  const stateMachine = new aws.sfn.StateMachine(
    name,
    {
      name,
      type: a.type,
      roleArn: role.arn,
      definition,
      loggingConfiguration: pulumi.all([built, logGroup.arn]).apply(([d, logs]) => ({ ...workflowLogging(d), logDestination: `${logs}:*` })),
      tracingConfiguration: { enabled: true },
      tags: a.tags,
    },
    { dependsOn: [policy] },
  );
  return { stateMachine, role, logGroup, definition };
}
