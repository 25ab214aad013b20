/**
 * The topic alarms publish to, encrypted with a key of this stack. Not the AWS managed aws/sns key:
 * CloudWatch publishes as the cloudwatch.amazonaws.com service principal, which needs kms:Decrypt and
 * kms:GenerateDataKey* on the topic's key, and an AWS managed key's policy cannot grant that, so every
 * alarm notification to an aws/sns topic is dropped
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface AlarmTopicOptions {
  /** A stack budget notifies the topic too (infra/budget.ts): budgets.amazonaws.com may publish and use the key. */
  budgets?: boolean;
}

/** What the topic's default policy gives the owning account, written out: a topic policy replaces the default one. */
const OWNER_ACTIONS = [
  'SNS:GetTopicAttributes',
  'SNS:SetTopicAttributes',
  'SNS:AddPermission',
  'SNS:RemovePermission',
  'SNS:DeleteTopic',
  'SNS:Subscribe',
  'SNS:ListSubscriptionsByTopic',
  'SNS:Publish',
];

export function createAlarmTopic(prefix: string, accountId: pulumi.Input<string>, tags: Record<string, string>, opts: AlarmTopicOptions = {}) {
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
        ...(opts.budgets
          ? [
              // Budget notifications to an encrypted topic need the same two actions for AWS Budgets.
              {
                Sid: 'BudgetsPublishToTheTopic',
                Effect: 'Allow',
                Principal: { Service: 'budgets.amazonaws.com' },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
              },
            ]
          : []),
      ],
    }),
    tags,
  });
  const topic = new aws.sns.Topic(`${prefix}-alarms`, { kmsMasterKeyId: key.arn, tags });
  const policy = opts.budgets
    ? new aws.sns.TopicPolicy(`${prefix}-alarms`, {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OwnerAccountUsesTheTopic',
              Effect: 'Allow',
              Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
              Action: OWNER_ACTIONS,
              Resource: topic.arn,
            },
            // The alarms, which the default policy let publish as the owner's service.
            {
              Sid: 'CloudWatchAlarmsPublishToTheTopic',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'SNS:Publish',
              Resource: topic.arn,
              Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
            },
            // Only this account's budgets (AWS Cost Management guide's statement).
            {
              Sid: 'BudgetsPublishToTheTopic',
              Effect: 'Allow',
              Principal: { Service: 'budgets.amazonaws.com' },
              Action: 'SNS:Publish',
              Resource: topic.arn,
              Condition: {
                StringEquals: { 'aws:SourceAccount': accountId },
                ArnLike: { 'aws:SourceArn': pulumi.interpolate`arn:aws:budgets::${accountId}:*` },
              },
            },
          ],
        }),
      })
    : undefined;
  return { topic, key, policy };
}
