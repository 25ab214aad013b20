import { expect } from 'chai';
import { ConfigError } from '../../functions/shared/errors.js';
import { parseStackConfig } from '../../infra/config.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { oneResource as one, resourcesOf as of } from './fixtures.js';

interface Statement {
  Sid?: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}
const statements = (doc: unknown): Statement[] => (JSON.parse(String(doc)) as { Statement: Statement[] }).Statement;
const byService = (list: Statement[], service: string) => list.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: service }));

/** The FunctionName the state machine's ClassifyImage task invokes. */
function classifyTarget(plan: StackPlan): string {
  const sm = one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation');
  const found: string[] = [];
  const walk = (states: Record<string, { Parameters?: { FunctionName?: string }; Branches?: Array<{ States: Record<string, never> }> }>) => {
    for (const [name, s] of Object.entries(states)) {
      if (name === 'ClassifyImage' && s.Parameters?.FunctionName) found.push(s.Parameters.FunctionName);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk((JSON.parse(String(sm.inputs.definition)) as { States: Record<string, never> }).States);
  expect(found).to.have.length(1);
  return found[0];
}

const ACCOUNT = '123456789012';
const FN = (stack: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:blog-image-moderation-${stack}-classify`;

describe('infra: cost controls (provisioned concurrency, peak schedule, budget) under mocks', function () {
  this.timeout(60_000);

  it('by default: no alias, no warm instances, no budget; the state machine invokes the function itself', async () => {
    const plan = await planStack(readStackYaml('dev'), 'cost-default');
    for (const type of [
      'aws:lambda/alias:Alias',
      'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
      'aws:appautoscaling/target:Target',
      'aws:budgets/budget:Budget',
      'aws:sns/topicPolicy:TopicPolicy',
    ])
      expect(of(plan, type), type).to.be.empty;
    expect(one(plan, 'aws:lambda/function:Function', '-classify').inputs.publish).to.equal(false);
    expect(classifyTarget(plan)).to.equal(FN('cost-default'));
    const key = one(plan, 'aws:kms/key:Key', '-alarms');
    expect(byService(statements(key.inputs.policy), 'budgets.amazonaws.com')).to.be.empty;
  });

  it('classifierProvisionedConcurrency=2, monthlyBudgetUsd=50: warm instances on a published version behind the alias the workflow invokes, a budget on the alarm topic', async () => {
    const plan = await planStack({ ...readStackYaml('dev'), classifierProvisionedConcurrency: '2', monthlyBudgetUsd: '50' }, 'cost-on');
    const fn = one(plan, 'aws:lambda/function:Function', '-classify');
    expect(fn.inputs.publish).to.equal(true);
    const alias = one(plan, 'aws:lambda/alias:Alias', '-classify-live');
    expect(alias.inputs).to.deep.include({ name: 'live', functionName: 'blog-image-moderation-cost-on-classify', functionVersion: '1' });
    const warm = one(plan, 'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig', '-classify-warm');
    expect(warm.inputs).to.deep.include({ functionName: 'blog-image-moderation-cost-on-classify', qualifier: 'live', provisionedConcurrentExecutions: 2 });
    expect(warm.dependsOn).to.include(`aws:lambda/alias:Alias::${alias.name}`);
    // Provisioned concurrency applies to the alias only: invoking the bare function would use none of it.
    expect(classifyTarget(plan)).to.equal(`${FN('cost-on')}:live`);
    const role = of(plan, 'aws:iam/rolePolicy:RolePolicy').find((r) => r.name.endsWith('-workflow'))!;
    const invoke = statements(role.inputs.policy).find((s) => s.Sid === 'InvokeTheWorkflowFunctions')!;
    expect(invoke.Resource).to.include(`${FN('cost-on')}:*`);

    const topic = one(plan, 'aws:sns/topic:Topic', '-alarms');
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`;
    const budget = one(plan, 'aws:budgets/budget:Budget', '-monthly');
    const b = budget.inputs as {
      budgetType: string;
      limitAmount: string;
      limitUnit: string;
      timeUnit: string;
      costFilters: Array<{ name: string; values: string[] }>;
      notifications: Array<Record<string, unknown>>;
    };
    expect(b).to.deep.include({ budgetType: 'COST', limitAmount: '50.00', limitUnit: 'USD', timeUnit: 'MONTHLY' });
    expect(b.notifications.map((n) => [n.notificationType, n.threshold, n.thresholdType, n.comparisonOperator, n.subscriberSnsTopicArns])).to.deep.equal([
      ['FORECASTED', 80, 'PERCENTAGE', 'GREATER_THAN', [topicArn]],
      ['ACTUAL', 100, 'PERCENTAGE', 'GREATER_THAN', [topicArn]],
    ]);
    // Scoped to this stack's resources: the filter is the tag every resource of the stack carries.
    expect(b.costFilters).to.deep.equal([{ name: 'TagKeyValue', values: ['user:stack-id$blog-image-moderation/cost-on'] }]);
    for (const r of [fn, topic, one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation')])
      expect((r.inputs.tags as Record<string, string>)['stack-id'], r.name).to.equal('blog-image-moderation/cost-on');

    // Budgets may publish to the topic (only for this account's budgets) and use its key; the alarms still may.
    const policy = one(plan, 'aws:sns/topicPolicy:TopicPolicy', '-alarms');
    expect(policy.inputs.arn).to.equal(topicArn);
    expect(budget.dependsOn).to.include(`aws:sns/topicPolicy:TopicPolicy::${policy.name}`);
    const topicStatements = statements(policy.inputs.policy);
    expect(byService(topicStatements, 'budgets.amazonaws.com')).to.deep.equal([
      {
        Sid: 'BudgetsPublishToTheTopic',
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topicArn,
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${ACCOUNT}:*` } },
      },
    ]);
    expect(byService(topicStatements, 'cloudwatch.amazonaws.com')[0]).to.deep.include({ Action: 'SNS:Publish', Resource: topicArn });
    for (const s of topicStatements) for (const a of [s.Action].flat()) expect(a, s.Sid).to.not.contain('*');
    const keyStatements = statements(one(plan, 'aws:kms/key:Key', '-alarms').inputs.policy);
    for (const service of ['budgets.amazonaws.com', 'cloudwatch.amazonaws.com'])
      expect(byService(keyStatements, service)[0], service).to.deep.include({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      });
  });

  it('a peak schedule: Application Auto Scaling raises the alias at each window start and returns to the baseline at its end', async () => {
    const schedule = [
      { days: 'MON-FRI', start: '08:30', end: '18:00', timezone: 'Europe/Paris', concurrency: 4 },
      { days: 'SAT', start: '10:00', end: '12:00', concurrency: 2 },
    ];
    const plan = await planStack(
      // ResNet-50 stays deployable as an option (the slower one: README "Models").
      {
        ...readStackYaml('dev'),
        modelName: 'resnet50-v1-12-int8',
        classifierProvisionedConcurrency: '1',
        provisionedConcurrencySchedule: JSON.stringify(schedule),
      },
      'cost-peak',
    );
    // Auto Scaling owns the setting: no fixed config for Pulumi to fight it over.
    expect(of(plan, 'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig')).to.be.empty;
    const target = one(plan, 'aws:appautoscaling/target:Target', '-classify-warm');
    const resourceId = 'function:blog-image-moderation-cost-peak-classify:live';
    expect(target.inputs).to.deep.include({
      serviceNamespace: 'lambda',
      scalableDimension: 'lambda:function:ProvisionedConcurrency',
      resourceId,
      minCapacity: 1,
      maxCapacity: 4,
    });
    const actions = of(plan, 'aws:appautoscaling/scheduledAction:ScheduledAction').map((r) => r.inputs);
    expect(actions.map((a) => [a.schedule, a.timezone, a.scalableTargetAction])).to.deep.equal([
      ['cron(30 8 ? * MON-FRI *)', 'Europe/Paris', { minCapacity: 4, maxCapacity: 4 }],
      ['cron(0 18 ? * MON-FRI *)', 'Europe/Paris', { minCapacity: 1, maxCapacity: 1 }],
      ['cron(0 10 ? * SAT *)', 'UTC', { minCapacity: 2, maxCapacity: 2 }],
      ['cron(0 12 ? * SAT *)', 'UTC', { minCapacity: 1, maxCapacity: 1 }],
    ]);
    for (const a of actions) expect(a).to.deep.include({ resourceId, serviceNamespace: 'lambda', scalableDimension: 'lambda:function:ProvisionedConcurrency' });
    expect(classifyTarget(plan)).to.equal(`${FN('cost-peak')}:live`);
    const env = (one(plan, 'aws:lambda/function:Function', '-classify').inputs.environment as { variables: Record<string, string> }).variables;
    expect(env.MODEL_NAME).to.equal('resnet50-v1-12-int8');
  });

  it('refuses settings that could not work, naming the key', () => {
    const base = { region: 'us-east-1' };
    const window = { days: 'MON-FRI', start: '08:00', end: '18:00', concurrency: 2 };
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ classifierProvisionedConcurrency: 21 }, /classifierProvisionedConcurrency must not exceed reservedConcurrency/],
      [{ classifierProvisionedConcurrency: -1 }, /classifierProvisionedConcurrency must be at least 0/],
      [{ provisionedConcurrencySchedule: [{ ...window, days: 'WEEKDAYS' }] }, /days must be like MON-FRI/],
      [{ provisionedConcurrencySchedule: [{ ...window, start: '8:00' }] }, /start must be HH:MM/],
      [{ provisionedConcurrencySchedule: [{ ...window, start: '22:00', end: '06:00' }] }, /end must be after start/],
      [{ provisionedConcurrencySchedule: [{ ...window, timezone: 'Mars/Olympus' }] }, /timezone must be an IANA time zone/],
      [{ provisionedConcurrencySchedule: [{ ...window, concurrency: 50 }] }, /concurrency must not exceed reservedConcurrency/],
      [{ provisionedConcurrencySchedule: [{ ...window, every: 'day' }] }, /provisionedConcurrencySchedule/],
      [{ provisionedConcurrencySchedule: 'not json' }, /provisionedConcurrencySchedule must be a list of windows/],
      [{ monthlyBudgetUsd: -5 }, /monthlyBudgetUsd must be at least 0/],
    ];
    for (const [raw, message] of bad) expect(() => parseStackConfig({ ...base, ...raw }), JSON.stringify(raw)).to.throw(ConfigError, message);
    const ok = parseStackConfig({ ...base, provisionedConcurrencySchedule: [window], monthlyBudgetUsd: '12.5' });
    expect(ok.provisionedConcurrencySchedule).to.deep.equal([{ ...window, timezone: 'UTC' }]);
    expect([ok.classifierProvisionedConcurrency, ok.monthlyBudgetUsd]).to.deep.equal([0, 12.5]);
  });

  it("reads boolean settings as Pulumi gives them (strings): 'false' is false", () => {
    const base = { region: 'us-east-1' };
    expect(parseStackConfig({ ...base, efsBackups: 'false' }).efsBackups).to.equal(false);
    expect(parseStackConfig({ ...base, efsBackups: 'true' }).efsBackups).to.equal(true);
    expect(parseStackConfig(base).efsBackups).to.equal(false);
    expect(() => parseStackConfig({ ...base, efsBackups: 'maybe' })).to.throw(ConfigError, /efsBackups must be true or false/);
  });
});
