/**
 * The cost guard beside reserved concurrency: an AWS Budgets monthly cost budget for this stack's
 * resources (the `stack-id` cost allocation tag every resource carries) that notifies the alarm topic
 * when the month's forecast passes 80 % and when actual spend passes 100 %. Budgets publishes as the
 * budgets.amazonaws.com service principal, so the topic policy and the topic's KMS key allow it
 * (infra/alarm-topic.ts; AWS Cost Management guide, "Creating an Amazon SNS topic for budget
 * notifications"). The tag filter counts only once `stack-id` is activated as a cost allocation tag in
 * the payer account's Billing console (it can take a day to appear); until then the budget reads $0.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** The tag key Budgets filters on; its value is unique per project and stack. */
export const COST_TAG = 'stack-id';

export const BUDGET_NOTIFICATIONS = [
  { notificationType: 'FORECASTED', threshold: 80 },
  { notificationType: 'ACTUAL', threshold: 100 },
] as const;

export function createBudget(prefix: string, monthlyUsd: number, costTagValue: string, topic: { arn: pulumi.Input<string>; policy?: pulumi.Resource }) {
  return new aws.budgets.Budget(
    `${prefix}-monthly`,
    {
      name: `${prefix}-monthly`,
      budgetType: 'COST',
      limitAmount: monthlyUsd.toFixed(2),
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
      // Budgets names user-defined cost allocation tags user:<key>, and a value filter as <key>$<value>.
      costFilters: [{ name: 'TagKeyValue', values: [`user:${COST_TAG}$${costTagValue}`] }],
      notifications: BUDGET_NOTIFICATIONS.map((n) => ({
        notificationType: n.notificationType,
        threshold: n.threshold,
        thresholdType: 'PERCENTAGE',
        comparisonOperator: 'GREATER_THAN',
        subscriberSnsTopicArns: [topic.arn],
      })),
    },
    // Budgets must be allowed to publish before its first notification.
    { dependsOn: topic.policy ? [topic.policy] : [] },
  );
}
