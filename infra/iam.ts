/**
 * IAM written out, least privilege: one role per function and one for the state machine, each with an
 * inline RolePolicy naming its resources. No managed FullAccess policies, no `*` action anywhere; `*` as
 * a resource only where the action accepts no resource type in AWS's Service Authorization Reference
 * (each such statement says so in its Sid; README "Security and IAM" has the table).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

export function serviceRole(
  name: string,
  service: 'lambda.amazonaws.com' | 'states.amazonaws.com',
  tags: Record<string, string>,
  condition?: Statement['Condition'],
) {
  return new aws.iam.Role(name, {
    assumeRolePolicy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
    }),
    tags,
  });
}

export function inlinePolicy(name: string, role: aws.iam.Role, statements: Statement[]) {
  return new aws.iam.RolePolicy(name, { role: role.id, policy: pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements }) });
}

/** Writing to the function's own log group (created explicitly, so no logs:CreateLogGroup). */
export const logsTo = (logGroup: aws.cloudwatch.LogGroup): Statement => ({
  Sid: 'WriteOwnLogGroup',
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: pulumi.interpolate`${logGroup.arn}:*`,
});

export const XRAY: Statement = {
  Sid: 'XRayTracesNoResourceLevelPermissions',
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: '*',
};

/**
 * Resuming a waiting execution with its task token. states:SendTaskSuccess, SendTaskFailure and
 * SendTaskHeartbeat list no resource type in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html): a
 * statement naming a state machine ARN would match no request and deny every call. The token itself is
 * the capability (only the store and the waiting execution hold it), so `*` grants no reach beyond it.
 */
export function taskTokenCallbacks(actions: Array<'states:SendTaskSuccess' | 'states:SendTaskFailure' | 'states:SendTaskHeartbeat'>): Statement {
  return { Sid: 'ResumeWaitingExecutionsTaskTokenNoResourceLevelPermissions', Effect: 'Allow', Action: actions, Resource: '*' };
}
