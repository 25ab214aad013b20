/**
 * IAM written out, least privilege: one role per function and one for the state machine, each with an
 * inline RolePolicy naming its resources. No managed FullAccess policies, no `*` action anywhere; `*` as
 * a resource only where AWS offers no resource-level permission (each such statement says so in its Sid).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface Statement {
  Sid: string;
  Effect: 'Allow';
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
