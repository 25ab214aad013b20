// The verdict table, the moderators' topic, the verdict Lambda, the reviewer policy, the review alarm
// and the new states, under Pulumi mocks (STANDARD with an email subscriber; EXPRESS without).
import { expect } from 'chai';
import type { PlannedResource } from '../../infra/plan/mocks.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { oneResource as one, resourcesOf as of } from './fixtures.js';

interface S {
  Sid: string;
  Action: string[];
  Resource: string | string[];
}
const statements = (r: PlannedResource): S[] => (JSON.parse(r.inputs.policy as string) as { Statement: S[] }).Statement;
const resources = (s: S) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
type Def = {
  TimeoutSeconds: number;
  States: Record<string, Record<string, unknown> & { Parameters?: Record<string, unknown> & { Payload?: Record<string, unknown> } }>;
};

describe('infra: verdict store, review topic and review states (mocks)', function () {
  this.timeout(60_000);
  let std: StackPlan;
  let express: StackPlan;
  before(async () => {
    std = await planStack(
      { ...readStackYaml('dev'), reviewEmail: 'moderators@example.com', reviewTimeoutSeconds: '7200', reviewTimeoutOutcome: 'reject' },
      'test-verdicts',
    );
    express = await planStack({ ...readStackYaml('dev'), workflowType: 'EXPRESS', reviewSweepMinutes: '5' }, 'test-verdicts-express');
  });

  it('creates the table on demand, encrypted, with point-in-time recovery, the status index and a TTL only token items carry', () => {
    const t = one(std, 'aws:dynamodb/table:Table', '-verdicts');
    expect(t.inputs).to.include({ billingMode: 'PAY_PER_REQUEST', hashKey: 'pk', rangeKey: 'sk', deletionProtectionEnabled: true });
    expect(t.inputs.serverSideEncryption).to.deep.equal({ enabled: true });
    expect(t.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
    expect(t.inputs.ttl).to.deep.equal({ attributeName: 'expiresAt', enabled: true });
    expect(t.inputs.globalSecondaryIndexes).to.deep.equal([{ name: 'by-status', hashKey: 'gsi1pk', rangeKey: 'gsi1sk', projectionType: 'ALL' }]);
  });

  it('notifies moderators on an encrypted topic, by email only when an address is configured', () => {
    expect(one(std, 'aws:sns/topic:Topic', '-reviews').inputs).to.include({ kmsMasterKeyId: 'alias/aws/sns' });
    expect(one(std, 'aws:sns/topicSubscription:TopicSubscription', '-reviews-email').inputs).to.include({
      protocol: 'email',
      endpoint: 'moderators@example.com',
    });
    expect(of(express, 'aws:sns/topicSubscription:TopicSubscription')).to.be.empty;
  });

  it('gives the verdict Lambda exactly this table, this topic and SendTaskSuccess (no resource type: "*" under its own Sid)', () => {
    const fn = one(std, 'aws:lambda/function:Function', '-verdicts');
    expect(fn.inputs).to.include({ runtime: 'nodejs24.x', packageType: 'Zip' });
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    const table = one(std, 'aws:dynamodb/table:Table', '-verdicts');
    const topic = one(std, 'aws:sns/topic:Topic', '-reviews');
    expect(env.VERDICT_TABLE).to.equal(table.inputs.name);
    expect(env.REVIEW_TOPIC_ARN).to.equal(`arn:aws:sns:us-east-1:123456789012:${topic.name}`);
    const policy = statements(one(std, 'aws:iam/rolePolicy:RolePolicy', '-verdicts'));
    const byAction = (a: string) => policy.filter((s) => s.Action.includes(a)).flatMap(resources);
    const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:${String(table.inputs.name)}`;
    for (const a of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable']) expect(byAction(a), a).to.deep.equal([tableArn]);
    // The table, and the status index for the review sweep.
    expect(byAction('dynamodb:Query')).to.deep.equal([tableArn, `${tableArn}/index/by-status`]);
    expect(byAction('sns:Publish')).to.deep.equal([`arn:aws:sns:us-east-1:123456789012:${topic.name}`]);
    // A state machine ARN here would match no request (the action takes no resource type) and deny every call.
    expect(policy.filter((s) => s.Action.some((a) => a.startsWith('states:')))).to.deep.equal([
      { Sid: 'ResumeWaitingExecutionsTaskTokenNoResourceLevelPermissions', Effect: 'Allow', Action: ['states:SendTaskSuccess'], Resource: '*' },
    ]);
    expect(
      policy
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith('dynamodb:'))
        .sort(),
    ).to.deep.equal(['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Query']);
    const wf = statements(one(std, 'aws:iam/rolePolicy:RolePolicy', '-workflow'));
    expect(wf.find((s) => s.Action.includes('lambda:InvokeFunction'))!.Resource).to.include(
      `arn:aws:lambda:us-east-1:123456789012:function:${String(fn.inputs.name)}`,
    );
  });

  it('gives moderators a policy to read the queue, record decisions and resume waiting executions by token', () => {
    const p = statements(one(std, 'aws:iam/policy:Policy', '-reviewer'));
    const table = one(std, 'aws:dynamodb/table:Table', '-verdicts');
    const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:${String(table.inputs.name)}`;
    expect(p.find((s) => s.Sid === 'ReadVerdictsAndReviews')!.Resource).to.deep.equal([tableArn, `${tableArn}/index/by-status`]);
    expect(p.find((s) => s.Sid === 'RecordDecisions')).to.deep.include({ Action: ['dynamodb:PutItem'], Resource: tableArn });
    expect(p.find((s) => s.Sid === 'ResumeWaitingExecutionsTaskTokenNoResourceLevelPermissions')).to.deep.include({
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Resource: '*',
    });
    const publisher = statements(one(std, 'aws:iam/policy:Policy', '-publisher'));
    // Records, post links and review items by key prefix; token items denied (publisher-token-access.test.ts evaluates it).
    expect(publisher.find((s) => s.Sid === 'ReadRecordedVerdicts')).to.deep.include({
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: tableArn,
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IMG#*', 'POST#*', 'REVIEW#*'] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    });
    expect(publisher.find((s) => s.Sid === 'NeverReadTaskTokens')).to.deep.include({
      Effect: 'Deny',
      Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      Resource: tableArn,
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] } },
    });
    expect(std.outputs).to.include.keys('verdictTableName', 'reviewTopicArn', 'reviewerPolicyArn', 'ruleset');
    expect(String(std.outputs.ruleset)).to.match(/^mobilenetv2-12-int8@[0-9a-f]{12}\+rekognition-min50\+policy@[0-9a-f]{12}$/);
  });

  it('deploys the dedupe Choice and, in STANDARD, a task-token review with the configured timeout, heartbeat and never-approve outcome', () => {
    const def = JSON.parse(one(std, 'aws:sfn/stateMachine:StateMachine', '-moderation').inputs.definition as string) as Def;
    expect(def.States.FetchImage.Next).to.equal('LookupVerdict');
    expect(def.States.KnownImage).to.deep.include({ Type: 'Choice', Default: 'AnalyzeImage' });
    const rr = def.States.RequestReview;
    expect(rr).to.include({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 7200, HeartbeatSeconds: 7200 });
    expect(rr.Parameters!.Payload).to.include({ 'taskToken.$': '$$.Task.Token', action: 'requestReview', timeoutSeconds: 7200 });
    expect(JSON.stringify(rr.Catch)).to.contain('States.Timeout').and.contain('ReviewExpired');
    expect(def.States.ReviewExpired.Parameters!.Payload).to.include({ outcome: 'reject' });
    expect(def.TimeoutSeconds).to.equal(900 + 7200);
    // That the verdict Lambda really emits this series is proven in test/infra/review-alarm.test.ts.
    expect(one(std, 'aws:cloudwatch/metricAlarm:MetricAlarm', '-reviews-expired').inputs).to.deep.include({
      namespace: 'BlogImageModeration',
      metricName: 'ReviewsExpired',
      dimensions: { service: 'image-moderation-test-verdicts' },
    });
  });

  it('queues the review in EXPRESS (no task token; the execution ends NeedsReview)', () => {
    const def = JSON.parse(one(express, 'aws:sfn/stateMachine:StateMachine', '-moderation').inputs.definition as string) as Def;
    expect(def.States.RequestReview).to.include({ Resource: 'arn:aws:states:::lambda:invoke' });
    expect(JSON.stringify(def)).not.to.contain('waitForTaskToken');
    expect(def.States).not.to.have.property('ReviewExpired');
    expect(def.TimeoutSeconds).to.equal(900);
  });

  it('EXPRESS: a schedule invokes the verdicts Lambda with expireDue (configured rate and outcome, never approve), allowed from that rule only', () => {
    const rule = one(express, 'aws:cloudwatch/eventRule:EventRule', '-review-sweep');
    expect(rule.inputs.scheduleExpression).to.equal('rate(5 minutes)');
    const target = one(express, 'aws:cloudwatch/eventTarget:EventTarget', '-review-sweep');
    const fn = one(express, 'aws:lambda/function:Function', '-verdicts');
    const fnArn = `arn:aws:lambda:us-east-1:123456789012:function:${String(fn.inputs.name)}`;
    expect(target.inputs).to.include({ arn: fnArn, rule: rule.inputs.name });
    expect(JSON.parse(target.inputs.input as string)).to.deep.equal({ action: 'expireDue', outcome: 'review', limit: 200 });
    const permission = one(express, 'aws:lambda/permission:Permission', '-review-sweep');
    expect(permission.inputs).to.include({ action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com', function: fn.inputs.name });
    // The rule's ARN (the mocks name the service after the Pulumi module, cloudwatch, not events).
    expect(permission.inputs.sourceArn)
      .to.match(/^arn:aws:[a-z]+:us-east-1:123456789012:/)
      .and.contain(String(rule.inputs.name));
    expect(express.outputs.reviewSweepRuleName).to.equal(rule.inputs.name);
  });

  it("both types: the sweep's only grants are Query on the status index and invoking this one function from this rule; STANDARD's runs at the default 15 minutes", () => {
    for (const plan of [express, std]) {
      const table = one(plan, 'aws:dynamodb/table:Table', '-verdicts');
      const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:${String(table.inputs.name)}`;
      const policy = statements(one(plan, 'aws:iam/rolePolicy:RolePolicy', '-verdicts'));
      expect(policy.find((s) => s.Sid === 'FindDueReviews')).to.deep.include({ Action: ['dynamodb:Query'], Resource: `${tableArn}/index/by-status` });
      for (const s of policy.filter((x) => x.Action.some((a) => a.startsWith('dynamodb:')))) for (const r of resources(s)) expect(r, s.Sid).not.to.contain('*');
      const rule = one(plan, 'aws:cloudwatch/eventRule:EventRule', '-review-sweep');
      expect(one(plan, 'aws:lambda/permission:Permission', '-review-sweep').inputs.sourceArn).to.equal(
        `arn:aws:events:us-east-1:123456789012:rule/${String(rule.inputs.name)}`,
      );
    }
    expect(one(std, 'aws:cloudwatch/eventRule:EventRule', '-review-sweep').inputs.scheduleExpression).to.equal('rate(15 minutes)');
    expect(JSON.parse(one(std, 'aws:cloudwatch/eventTarget:EventTarget', '-review-sweep').inputs.input as string)).to.include({ outcome: 'reject' });
  });

  it('the sweep rate is validated config: default 15 minutes, 1 minute is singular, 0 is refused naming the key', async () => {
    const { parseStackConfig } = await import('../../infra/config.js');
    expect(parseStackConfig(readStackYaml('dev')).reviewSweepMinutes).to.equal(15);
    expect(() => parseStackConfig({ ...readStackYaml('dev'), reviewSweepMinutes: '0' })).to.throw(
      /reviewSweepMinutes: the review sweep runs at most once a minute/,
    );
    expect(() => parseStackConfig({ ...readStackYaml('dev'), reviewTimeoutOutcome: 'approve' })).to.throw(/reviewTimeoutOutcome: .*never approve/);
  });
});
