/**
 * The topic alarms publish to, encrypted with a key of this stack. Not the AWS managed aws/sns key:
 * CloudWatch publishes as the cloudwatch.amazonaws.com service principal, which needs kms:Decrypt and
 * kms:GenerateDataKey* on the topic's key, and an AWS managed key's policy cannot grant that, so every
 * alarm notification to an aws/sns topic is dropped
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export function createAlarmTopic(prefix: string, accountId: pulumi.Input<string>, tags: Record<string, string>) {
  const key = new aws.kms.Key(`${prefix}-alarms`, {
    description: `${prefix}: encrypts the alarm topic; CloudWatch alarms use it to publish`,
    enableKeyRotation: true,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        // KMS's default key policy: the account's IAM policies decide who administers and uses the key
        // (in a key policy, Resource "*" means this key).
        {
          Sid: 'AccountIamPoliciesGovernTheKey',
          Effect: 'Allow',
          Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        // What SNS's compatibility table asks for CloudWatch; the key encrypts nothing but this topic.
        // Only for this account's alarms: without the condition a service principal acting for any
        // account (the confused deputy) could use the key.
        {
          Sid: 'CloudWatchAlarmsPublishToTheTopic',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    }),
    tags,
  });
  const topic = new aws.sns.Topic(`${prefix}-alarms`, { kmsMasterKeyId: key.arn, tags });
  return { topic, key };
}
