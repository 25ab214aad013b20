/** Every Lambda's log group, created by the stack (not by Lambda on first write) so it has a retention. */
import * as aws from '@pulumi/aws';

export function functionLogGroup(name: string, functionName: string, retentionInDays: number, tags: Record<string, string>) {
  return new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${functionName}`, retentionInDays, tags });
}
