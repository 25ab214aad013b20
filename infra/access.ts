/**
 * The publisher's policy: start executions of this state machine and read their results, and read the
 * verdict table's records, post links and review items (getVerdict, waiting out a review; never its
 * task tokens), and call the HTTP API's routes, nothing else.
 * Attach it to the publisher's role or user (its ARN is a stack output).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { publisherTableReads } from './verdict-table-access.js';

export function createPublisherPolicy(
  prefix: string,
  stateMachine: aws.sfn.StateMachine,
  type: 'STANDARD' | 'EXPRESS',
  region: string,
  accountId: pulumi.Input<string>,
  tags: Record<string, string>,
  verdictTable?: aws.dynamodb.Table,
  /** The HTTP API's routes (infra/http-api.ts invokeArns): execute-api:Invoke on exactly these. */
  apiInvokeArns: pulumi.Input<string>[] = [],
) {
  const executions = pulumi.interpolate`arn:aws:states:${region}:${accountId}:${type === 'EXPRESS' ? 'express' : 'execution'}:${stateMachine.name}:*`;
  return new aws.iam.Policy(`${prefix}-publisher`, {
    description: 'AutoBlogger publisher: moderate images with this stack and read the verdicts',
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'StartModeration', Effect: 'Allow', Action: ['states:StartExecution', 'states:StartSyncExecution'], Resource: stateMachine.arn },
        { Sid: 'ReadVerdicts', Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: executions },
        // Records, post links and review items; never the task-token items (verdict-table-access.ts).
        ...(verdictTable ? publisherTableReads(verdictTable) : []),
        ...(apiInvokeArns.length ? [{ Sid: 'CallTheHttpApi', Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: apiInvokeArns }] : []),
      ],
    }),
    tags,
  });
}
