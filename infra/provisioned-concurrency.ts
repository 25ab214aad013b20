/**
 * Warm classifier instances: provisioned concurrency on a published version behind an alias, which the
 * state machine then invokes (provisioned concurrency applies to a version or alias, never to $LATEST).
 *
 * - `classifierProvisionedConcurrency: N`, no schedule: a ProvisionedConcurrencyConfig of N on the alias,
 *   always on.
 * - `provisionedConcurrencySchedule`: Application Auto Scaling owns the alias's provisioned concurrency
 *   (a scalable target, minimum = the baseline N, 0 allowed) and two scheduled actions per peak window
 *   raise it at the start and bring it back to the baseline at the end: AWS's way to keep instances warm
 *   during peak hours, with nothing to ping. No ProvisionedConcurrencyConfig then: Pulumi and Auto
 *   Scaling would fight over the same setting.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PeakWindow } from './config.js';

export const CLASSIFIER_ALIAS = 'live';

export interface ProvisionedConcurrencyArgs {
  prefix: string;
  /** The classifier, created with `publish: true`, so `version` is its latest published version. */
  fn: aws.lambda.Function;
  baseline: number;
  schedule: PeakWindow[];
}

/** The cron expression of a window's start or end (Application Auto Scaling: minutes hours day-of-month month day-of-week year). */
export function windowCron(days: string, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return `cron(${m} ${h} ? * ${days} *)`;
}

export function createProvisionedConcurrency(a: ProvisionedConcurrencyArgs) {
  const alias = new aws.lambda.Alias(`${a.prefix}-classify-live`, {
    name: CLASSIFIER_ALIAS,
    functionName: a.fn.name,
    functionVersion: a.fn.version,
    description: 'What the state machine invokes: the latest published version, with provisioned concurrency',
  });
  if (a.schedule.length === 0) {
    const config = new aws.lambda.ProvisionedConcurrencyConfig(`${a.prefix}-classify-warm`, {
      functionName: a.fn.name,
      qualifier: alias.name,
      provisionedConcurrentExecutions: a.baseline,
    });
    return { alias, config, scheduled: undefined };
  }
  const peak = Math.max(a.baseline, ...a.schedule.map((w) => w.concurrency));
  const target = new aws.appautoscaling.Target(`${a.prefix}-classify-warm`, {
    serviceNamespace: 'lambda',
    scalableDimension: 'lambda:function:ProvisionedConcurrency',
    resourceId: pulumi.interpolate`function:${a.fn.name}:${alias.name}`,
    minCapacity: a.baseline,
    maxCapacity: peak,
  });
  const actions = a.schedule.flatMap((w, i) => {
    const at = (edge: 'start' | 'end', capacity: number) =>
      new aws.appautoscaling.ScheduledAction(`${a.prefix}-classify-peak-${i}-${edge}`, {
        name: `${a.prefix}-classify-peak-${i}-${edge}`,
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        schedule: windowCron(w.days, w[edge]),
        timezone: w.timezone,
        scalableTargetAction: { minCapacity: capacity, maxCapacity: capacity },
      });
    return [at('start', w.concurrency), at('end', a.baseline)];
  });
  return { alias, config: undefined, scheduled: { target, actions } };
}
