import { expect } from 'chai';
import { METRICS } from '../../functions/shared/telemetry/metric-names.js';
import { ConfigError } from '../../functions/shared/errors.js';
import * as pulumi from '@pulumi/pulumi';
import { loadStackConfig, parseStackConfig } from '../../infra/config.js';
import { setupMocks } from '../../infra/plan/mocks.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { oneResource as one, resourcesOf as of } from './fixtures.js';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { walkStates, type AslDefinition } from '../../workflows/asl.js';

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
}
const statementsOf = (doc: unknown): PolicyStatement[] => {
  const d = (typeof doc === 'string' ? JSON.parse(doc) : doc) as { Statement: PolicyStatement | PolicyStatement[] };
  return Array.isArray(d.Statement) ? d.Statement : [d.Statement];
};
/** The states (any branch) whose Parameters reference the context object's task token. */
function tokenPassingStates(definition: string): string[] {
  return [...walkStates(JSON.parse(definition) as AslDefinition)]
    .filter(({ state }) => JSON.stringify((state as { Parameters?: unknown }).Parameters ?? {}).includes('$$.Task.Token'))
    .map(({ name }) => name);
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every identity policy in the plan (role inline policies and managed policies). */
function identityStatements(plan: StackPlan): Array<{ owner: string; s: PolicyStatement }> {
  return [...of(plan, 'aws:iam/rolePolicy:RolePolicy'), ...of(plan, 'aws:iam/policy:Policy')].flatMap((r) =>
    statementsOf(r.inputs.policy).map((s) => ({ owner: r.name, s })),
  );
}

describe('infra: the default stack (Pulumi.dev.yaml) under mocks', function () {
  this.timeout(60_000);
  let plan: StackPlan;
  before(async () => {
    plan = await planStack(readStackYaml('dev'), 'test-default');
  });

  it('creates every component of the design', () => {
    for (const type of [
      'awsx:ec2:Vpc',
      'aws:ec2/vpcEndpoint:VpcEndpoint',
      'aws:efs/fileSystem:FileSystem',
      'aws:efs/accessPoint:AccessPoint',
      'aws:efs/mountTarget:MountTarget',
      'awsx:ecr:Repository',
      'command:local:Command',
      'aws:lambda/function:Function',
      'aws:sfn/stateMachine:StateMachine',
      'aws:iam/policy:Policy',
      'aws:cloudwatch/metricAlarm:MetricAlarm',
      'aws:s3/bucketObjectv2:BucketObjectv2',
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
    ]) {
      expect(of(plan, type), type).not.to.be.empty;
    }
    expect(of(plan, 'aws:efs/mountTarget:MountTarget')).to.have.length(2);
    expect(of(plan, 'aws:lambda/function:Function').map((r) => r.name.replace('blog-image-moderation-test-default-', ''))).to.have.members([
      'classify',
      'fetch-image',
      'aggregate',
      'verdicts',
      'api',
    ]);
    expect(
      of(plan, 'aws:cloudwatch/metricAlarm:MetricAlarm').map((r) => r.inputs.metricName ?? r.name.replace('blog-image-moderation-test-default-', '')),
    ).to.have.members(['ExecutionsFailed', 'ExecutionsTimedOut', 'Errors', 'Throttles', 'ReviewsExpired', 'review-rate', 'reject-rate']);
  });

  it('alarms on an abnormal review or reject rate from the Decisions metric the aggregate function emits', () => {
    for (const [decision, threshold] of [
      ['review', 30],
      ['reject', 10],
    ] as const) {
      const alarm = one(plan, 'aws:cloudwatch/metricAlarm:MetricAlarm', `-${decision}-rate`).inputs as {
        threshold: number;
        comparisonOperator: string;
        alarmActions: unknown[];
        metricQueries: Array<{
          id: string;
          expression?: string;
          returnData?: boolean;
          metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string; period: number };
        }>;
      };
      expect(alarm).to.include({ threshold, comparisonOperator: 'GreaterThanThreshold' });
      expect(alarm.alarmActions).to.have.length(1);
      const metrics = alarm.metricQueries.filter((q) => q.metric).map((q) => q.metric!);
      expect(metrics.map((m) => m.dimensions.decision)).to.have.members(['approve', 'review', 'reject']);
      for (const m of metrics) expect(m).to.deep.include({ namespace: 'BlogImageModeration', metricName: METRICS.decisions, stat: 'Sum', period: 3600 });
      // One series per stack: the default service name carries the stack's name.
      for (const m of metrics) expect(m.dimensions.service).to.equal('image-moderation-test-default');
      const rate = alarm.metricQueries.filter((q) => q.returnData);
      expect(rate).to.have.length(1);
      expect(rate[0].expression).to.equal(
        `IF((FILL(approve, 0) + FILL(review, 0) + FILL(reject, 0)) >= 20, 100 * FILL(${decision}, 0) / (FILL(approve, 0) + FILL(review, 0) + FILL(reject, 0)), 0)`,
      );
    }
  });

  it('sends every alarm to a topic encrypted with a stack key CloudWatch may use (aws/sns would drop every notification)', () => {
    const topic = one(plan, 'aws:sns/topic:Topic', '-alarms');
    const key = one(plan, 'aws:kms/key:Key', '-alarms');
    const keyArn = `arn:aws:kms:us-east-1:123456789012:${key.name}`;
    expect(topic.inputs.kmsMasterKeyId).to.equal(keyArn);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    const statements = (JSON.parse(String(key.inputs.policy)) as { Statement: Array<{ Principal: unknown; Action: string | string[] }> }).Statement;
    expect(statements.find((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }))).to.deep.include({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const topicArn = `arn:aws:sns:us-east-1:123456789012:${topic.name}`;
    const alarms = of(plan, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.length).to.be.greaterThan(5);
    for (const a of alarms) expect(a.inputs.alarmActions, a.name).to.deep.equal([topicArn]);
  });

  it('has a dashboard with every custom metric: decisions by category, rates, p50/p95 per step, cold starts, errors by name, safety latency', () => {
    const dash = one(plan, 'aws:cloudwatch/dashboard:Dashboard', '-dashboard');
    const body = JSON.parse(String(dash.inputs.dashboardBody)) as { widgets: Array<{ properties: { title: string; metrics: unknown[] } }> };
    const text = JSON.stringify(body);
    for (const name of Object.values(METRICS)) expect(text, name).to.contain(name);
    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).to.include.members([
      'Review rate (%)',
      'Reject rate (%)',
      'Errors by name',
      'Step duration p50 / p95 (ms)',
      'Safety latency (rekognition) (ms)',
    ]);
    const steps = body.widgets.find((w) => w.properties.title.startsWith('Step duration'))!.properties.metrics as Array<unknown[]>;
    // With Rekognition, CheckSafety is the state machine's SDK call: no Lambda, no StepDuration to graph.
    expect(steps.some((m) => m.includes('CheckSafety'))).to.equal(false);
    for (const step of ['FetchImage', 'LookupVerdict', 'ClassifyImage', 'AggregateVerdict', 'RecordVerdict', 'RequestReview', 'ReviewExpired']) {
      for (const stat of ['p50', 'p95'])
        expect(
          steps.some((m) => m.includes(step) && JSON.stringify(m.at(-1)).includes(`"${stat}"`)),
          `${step} ${stat}`,
        ).to.equal(true);
    }
    expect(text).to.contain('SEARCH(\'{BlogImageModeration,service,decision,category,source} MetricName=\\"DecisionReasons\\"');
    // Rekognition's latency as Rekognition publishes it (AWS/Rekognition ResponseTime by Operation).
    const safety = body.widgets.find((w) => w.properties.title.startsWith('Safety latency'))!.properties.metrics as Array<unknown[]>;
    expect(safety.map((m) => m.slice(0, 4))).to.deep.equal([
      ['AWS/Rekognition', 'ResponseTime', 'Operation', 'DetectModerationLabels'],
      ['AWS/Rekognition', 'ResponseTime', 'Operation', 'DetectModerationLabels'],
    ]);
    expect(text).not.to.contain('ServiceIntegration');
    // The body as PutDashboard accepts it: every metrics entry an array, an expression as [{ expression, id }]
    // with a lowercase-first id unique in its widget, and at most 500 entries.
    for (const w of body.widgets) {
      const ids: string[] = [];
      expect(w.properties.metrics.length, w.properties.title).to.be.within(1, 500);
      for (const entry of w.properties.metrics) {
        expect(entry, w.properties.title).to.be.an('array');
        const opts = (entry as unknown[]).at(-1) as { expression?: string; id?: string } | string;
        if (typeof opts === 'object' && opts.id) ids.push(opts.id);
        if (typeof opts === 'object' && opts.expression) expect(entry, w.properties.title).to.have.length(1);
      }
      for (const id of ids) expect(id, w.properties.title).to.match(/^[a-z][A-Za-z0-9_]*$/);
      expect(new Set(ids).size, w.properties.title).to.equal(ids.length);
    }
  });

  it('has no NAT gateway and reaches S3 through a gateway endpoint on the isolated subnets', () => {
    const vpc = one(plan, 'awsx:ec2:Vpc', '-vpc');
    expect(vpc.inputs.natGateways).to.deep.equal({ strategy: 'None' });
    expect(vpc.inputs.numberOfAvailabilityZones).to.equal(2);
    const ep = one(plan, 'aws:ec2/vpcEndpoint:VpcEndpoint', '-s3');
    expect(ep.inputs).to.include({ vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.us-east-1.s3' });
    expect(ep.inputs.routeTableIds).to.deep.equal(['rtb-0a', 'rtb-0b']);
  });

  it('lets NFS into EFS from the classifier security group only', () => {
    const ingress = of(plan, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');
    expect(ingress).to.have.length(1);
    expect(ingress[0].inputs).to.include({
      securityGroupId: `${one(plan, 'aws:ec2/securityGroup:SecurityGroup', '-efs').name}-id`,
      referencedSecurityGroupId: `${one(plan, 'aws:ec2/securityGroup:SecurityGroup', '-classifier').name}-id`,
      fromPort: 2049,
      toPort: 2049,
      ipProtocol: 'tcp',
    });
    expect(ingress[0].inputs).not.to.have.any.keys('cidrIpv4', 'cidrIpv6');
    for (const mt of of(plan, 'aws:efs/mountTarget:MountTarget'))
      expect(mt.inputs.securityGroups).to.deep.equal([`${one(plan, 'aws:ec2/securityGroup:SecurityGroup', '-efs').name}-id`]);
    for (const e of of(plan, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule')) expect(e.inputs).not.to.have.any.keys('cidrIpv4', 'cidrIpv6');
  });

  it('keeps both buckets private, encrypted, TLS-only; versions models and expires staged images', () => {
    const buckets = of(plan, 'aws:s3/bucket:Bucket');
    expect(buckets).to.have.length(2);
    for (const b of buckets) {
      const pab = one(plan, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', `${b.name}-public-access`);
      expect(pab.inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      const sse = one(plan, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', `${b.name}-sse`);
      expect(JSON.stringify(sse.inputs.rules)).to.contain('AES256');
      const tls = statementsOf(one(plan, 'aws:s3/bucketPolicy:BucketPolicy', `${b.name}-tls-only`).inputs.policy);
      expect(tls[0]).to.deep.include({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      expect(one(plan, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls', `${b.name}-ownership`).inputs).to.deep.include({
        rule: { objectOwnership: 'BucketOwnerEnforced' },
      });
    }
    expect(one(plan, 'aws:s3/bucketVersioning:BucketVersioning', '-models-versioning').inputs).to.deep.include({
      versioningConfiguration: { status: 'Enabled' },
    });
    const lifecycle = one(plan, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', '-staging-expiry');
    expect(JSON.stringify(lifecycle.inputs.rules)).to.contain('"days":1').and.contain('"prefix":"staging/"');
  });

  it('uploads the model content-addressed with its sha256 in metadata', () => {
    const model = one(plan, 'aws:s3/bucketObjectv2:BucketObjectv2', '-model');
    expect(model.inputs.key).to.equal('models/mobilenetv2-12-int8/cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f/mobilenetv2-12-int8.onnx');
    expect(model.inputs.metadata).to.deep.equal({ sha256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f' });
    expect(one(plan, 'aws:s3/bucketObjectv2:BucketObjectv2', '-model-labels').inputs.key).to.match(/\/synset\.txt$/);
  });

  it('gives EFS an access point with a POSIX user and encryption, and mounts it into the classifier in the VPC', () => {
    expect(one(plan, 'aws:efs/fileSystem:FileSystem', '-model-cache').inputs).to.include({ encrypted: true, throughputMode: 'elastic' });
    const ap = one(plan, 'aws:efs/accessPoint:AccessPoint', '-model-cache');
    expect(ap.inputs.posixUser).to.deep.equal({ uid: 1000, gid: 1000 });
    expect(ap.inputs.rootDirectory).to.deep.equal({ path: '/models', creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' } });
    const fn = one(plan, 'aws:lambda/function:Function', '-classify');
    expect(fn.inputs).to.include({ packageType: 'Image', memorySize: 2048, reservedConcurrentExecutions: 20 });
    expect(fn.inputs.fileSystemConfig).to.deep.include({ localMountPath: '/mnt/models' });
    expect((fn.inputs.fileSystemConfig as { arn: string }).arn).to.contain('access-point');
    expect(fn.inputs.vpcConfig).to.deep.equal({
      subnetIds: ['subnet-0a', 'subnet-0b'],
      securityGroupIds: [`${one(plan, 'aws:ec2/securityGroup:SecurityGroup', '-classifier').name}-id`],
    });
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(env).to.include({
      MODEL_CACHE_DIR: '/mnt/models',
      NODE_COMPILE_CACHE: '/mnt/models/.node-compile-cache',
      MODEL_NAME: 'mobilenetv2-12-int8',
      MODEL_SHA256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f',
    });
    expect(env.MODEL_S3_URI).to.match(/^s3:\/\/.+\/models\/mobilenetv2-12-int8\//);
    expect(fn.dependsOn.filter((d) => d.startsWith('aws:efs/mountTarget:MountTarget::'))).to.have.length(2);
    const build = one(plan, 'command:local:Command', '-functions-image').inputs.environment as Record<string, string>;
    expect(build).to.include({ PLATFORM: 'linux/amd64', NODE_MAJOR: '24' });
    expect(build.DOCKERFILE).to.match(/functions\/classify\/Dockerfile$/);
  });

  it('keeps fetch-image out of the VPC and gives every function JSON logs, X-Ray and its own log group', () => {
    expect(one(plan, 'aws:lambda/function:Function', '-fetch-image').inputs).not.to.have.property('vpcConfig');
    // Every execution starts at fetch-image: its cap bounds a runaway publisher loop (README, cost).
    expect(one(plan, 'aws:lambda/function:Function', '-fetch-image').inputs).to.include({ reservedConcurrentExecutions: 20 });
    for (const fn of of(plan, 'aws:lambda/function:Function')) {
      expect(fn.inputs.tracingConfig, fn.name).to.deep.equal({ mode: 'Active' });
      expect(fn.inputs.loggingConfig, fn.name).to.deep.equal({
        logFormat: 'JSON',
        logGroup: `/aws/lambda/${String(fn.inputs.name)}`,
        // The level the metric lines carry (POWERTOOLS_LOG_LEVEL below): Lambda's filter keeps them.
        applicationLogLevel: 'INFO',
        systemLogLevel: 'WARN',
      });
      // The shared entry wrapper's settings: level, EMF namespace and the service dimension, from stack config.
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables, fn.name).to.include({
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'BlogImageModeration',
        POWERTOOLS_SERVICE_NAME: 'image-moderation-test-default',
      });
    }
    expect(one(plan, 'aws:lambda/function:Function', '-aggregate').inputs).to.include({ runtime: 'nodejs24.x', handler: 'index.handler' });
  });

  it('builds the state machine with the shared builder around the deployed function ARNs', () => {
    const sm = one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation');
    expect(sm.inputs).to.include({ type: 'STANDARD' });
    // The waiting RequestReview passes $$.Task.Token: logged with execution data, its TaskScheduled parameters would hold it.
    expect(sm.inputs.loggingConfiguration).to.deep.include({ level: 'ALL', includeExecutionData: false });
    expect(sm.inputs.tracingConfiguration).to.deep.equal({ enabled: true });
    const def = JSON.parse(sm.inputs.definition as string) as {
      States: Record<
        string,
        {
          Parameters?: Record<string, unknown>;
          Resource?: string;
          Branches?: Array<{
            States: Record<
              string,
              {
                Parameters?: Record<string, unknown>;
                Resource?: string;
                ItemProcessor?: { States: Record<string, { Parameters?: Record<string, unknown>; Resource?: string }> };
              }
            >;
          }>;
        }
      >;
    };
    const arns = Object.fromEntries(
      of(plan, 'aws:lambda/function:Function').map((f) => [
        String(f.inputs.name).split('-').pop(),
        `arn:aws:lambda:us-east-1:123456789012:function:${String(f.inputs.name)}`,
      ]),
    );
    expect(def.States.FetchImage.Parameters!.FunctionName).to.equal(arns.image);
    expect(def.States.AggregateVerdict.Parameters!.FunctionName).to.equal(arns.aggregate);
    const branches = def.States.AnalyzeImage.Branches!;
    expect(branches[0].States.ClassifyImage.Parameters!.FunctionName).to.equal(arns.classify);
    expect(branches[1].States.CheckSafety.ItemProcessor!.States.ModerateView.Resource).to.equal('arn:aws:states:::aws-sdk:rekognition:detectModerationLabels');
    expect(JSON.stringify(branches[1].States.CheckSafety.ItemProcessor!.States.ModerateView.Parameters)).to.contain(
      'blog-image-moderation-test-default-staging-0mock',
    );
  });

  it('writes no task token to the log group: a definition that passes one is logged without execution data', () => {
    const sm = one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation');
    expect(tokenPassingStates(sm.inputs.definition as string)).to.deep.equal([STATE_NAMES.requestReview]);
    // Step Functions logs a Task's resolved Parameters (TaskScheduled) and every state's input and output only with execution data.
    expect(sm.inputs.loggingConfiguration).to.have.property('includeExecutionData', false);
  });

  it('writes IAM without wildcard actions, and "*" resources only where AWS has no resource-level permissions', () => {
    const all = identityStatements(plan);
    expect(all.length).to.be.greaterThan(10);
    for (const { owner, s } of all) {
      for (const a of list(s.Action)) expect(a, `${owner} ${s.Sid}`).not.to.match(/(^\*$)|(:\*$)|\*/);
      if (list(s.Resource).includes('*')) expect(s.Sid, `${owner}: a "*" resource must say why in its Sid`).to.match(/NoResourceLevelPermissions$/);
      // A Deny only narrows (the publisher's NeverReadTaskTokens); the one in the plan is pinned here.
      if (s.Effect === 'Deny') expect(s.Sid, owner).to.equal('NeverReadTaskTokens');
      else expect(s.Effect).to.equal('Allow');
    }
    // Every action granted on "*", pinned: each one is in the README's IAM table with the Service
    // Authorization Reference's reason (no resource type). A new "*" must be argued there and here.
    const onStar = [...new Set(all.filter(({ s }) => list(s.Resource).includes('*')).flatMap(({ s }) => list(s.Action)))].sort();
    expect(onStar).to.deep.equal([
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'rekognition:DetectModerationLabels',
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Task-token callbacks never on a state machine ARN: that grant would deny every call.
    for (const { s } of all.filter(({ s }) => list(s.Action).some((a) => a.startsWith('states:SendTask'))))
      expect(s, s.Sid).to.include({ Sid: 'ResumeWaitingExecutionsTaskTokenNoResourceLevelPermissions', Resource: '*' });
    const wf = all.filter((x) => x.owner.endsWith('-workflow')).map((x) => x.s);
    const invoke = wf.find((s) => list(s.Action).includes('lambda:InvokeFunction'))!;
    expect(list(invoke.Resource)).to.have.length(8); // 4 functions (verdicts too), each with and without a qualifier
    expect(wf.find((s) => list(s.Action).includes('s3:GetObject'))!.Resource).to.match(/-staging-0mock\/staging\/\*$/);
    for (const r of of(plan, 'aws:iam/role:Role')) expect(JSON.stringify(r.inputs)).not.to.match(/FullAccess|managedPolicyArns/);
    expect(of(plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')).to.be.empty;
  });

  it('grants the publisher StartExecution/StartSyncExecution on this state machine and DescribeExecution on its executions only', () => {
    const [start, read] = statementsOf(one(plan, 'aws:iam/policy:Policy', '-publisher').inputs.policy);
    expect(list(start.Action)).to.have.members(['states:StartExecution', 'states:StartSyncExecution']);
    expect(start.Resource).to.equal('arn:aws:states:us-east-1:123456789012:stateMachine:blog-image-moderation-test-default-moderation');
    expect(list(read.Action)).to.deep.equal(['states:DescribeExecution']);
    expect(read.Resource).to.equal('arn:aws:states:us-east-1:123456789012:execution:blog-image-moderation-test-default-moderation:*');
  });

  it('exports what the publisher and operators need', () => {
    expect(plan.outputs).to.include.keys('stateMachineArn', 'consoleUrl', 'stagingBucketName', 'modelBucketName', 'functionNames', 'publisherPolicyArn');
    expect(plan.outputs.consoleUrl).to.match(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/states\//);
  });
});

describe('infra: local safety engine, EXPRESS, arm64', function () {
  this.timeout(60_000);
  let plan: StackPlan;
  before(async () => {
    plan = await planStack(
      {
        ...readStackYaml('dev'),
        safetyEngine: 'local',
        workflowType: 'EXPRESS',
        architecture: 'arm64',
        moderationPolicy: { safety: { Alcohol: { review: 90 } } },
      },
      'test-local',
    );
  });

  it('deploys the local safety function with its converted model and calls it from the definition', () => {
    const safety = one(plan, 'aws:lambda/function:Function', '-check-safety');
    const env = (safety.inputs.environment as { variables: Record<string, string> }).variables;
    expect(env).to.include({ NSFW_ALLOW_CONVERT: 'false' });
    expect(env.NSFW_MODEL_S3_URI).to.match(/nsfwjs-mobilenet-v2\/d2c5f645/);
    expect(env.NSFW_CONFIRM_MODEL_S3_URI).to.match(/nsfwjs-inception-v3\/a2610db4/);
    const def = JSON.parse(one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation').inputs.definition as string);
    expect(JSON.stringify(def))
      .to.contain(`function:${String(safety.inputs.name)}`)
      .and.not.to.contain('rekognition');
    const wf = identityStatements(plan).filter((x) => x.owner.endsWith('-workflow'));
    expect(wf.some((x) => list(x.s.Action).some((a) => a.startsWith('rekognition:')))).to.equal(false);
  });

  it('keeps execution data in the log of a workflow that passes no task token (EXPRESS: the log is its only history)', () => {
    const sm = one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation');
    expect(tokenPassingStates(sm.inputs.definition as string)).to.deep.equal([]);
    expect(sm.inputs.loggingConfiguration).to.deep.include({ level: 'ALL', includeExecutionData: true });
  });

  it('builds for arm64, runs EXPRESS and scopes the publisher to express executions', () => {
    expect(one(plan, 'command:local:Command', '-functions-image').inputs.environment).to.include({ PLATFORM: 'linux/arm64' });
    for (const fn of of(plan, 'aws:lambda/function:Function')) expect(fn.inputs.architectures).to.deep.equal(['arm64']);
    expect(one(plan, 'aws:sfn/stateMachine:StateMachine', '-moderation').inputs).to.include({ type: 'EXPRESS' });
    const [, read] = statementsOf(one(plan, 'aws:iam/policy:Policy', '-publisher').inputs.policy);
    expect(read.Resource).to.match(/:express:blog-image-moderation-test-local-moderation:\*$/);
    const agg = one(plan, 'aws:lambda/function:Function', '-aggregate');
    expect(JSON.parse((agg.inputs.environment as { variables: Record<string, string> }).variables.MODERATION_POLICY)).to.deep.equal({
      safety: { Alcohol: { review: 90 } },
    });
  });
});

describe('infra: configuration validation', () => {
  const base = { region: 'us-east-1' };
  it('fills documented defaults', () => {
    expect(parseStackConfig(base)).to.include({
      modelName: 'mobilenetv2-12-int8',
      classifierMemoryMb: 2048,
      architecture: 'x86_64',
      safetyEngine: 'rekognition',
      workflowType: 'STANDARD',
      logRetentionDays: 14,
    });
  });
  it('refuses bad values with the key in the message', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ region: 'mars' }, /aws:region/],
      [{ ...base, classifierMemoryMb: '64' }, /classifierMemoryMb/],
      [{ ...base, architecture: 'sparc' }, /architecture must be x86_64 or arm64/],
      [{ ...base, safetyEngine: 'magic' }, /safetyEngine/],
      [{ ...base, workflowType: 'SLOW' }, /workflowType/],
      [{ ...base, logRetentionDays: '10' }, /logRetentionDays/],
      [{ ...base, modelName: 'resnet9000' }, /modelName/],
      [{ ...base, modelName: 'resnet50-int8-random-timing' }, /random weights/],
      [{ ...base, moderationPolicy: { safety: { Explicit: { review: 90, reject: 10 } } } }, /moderationPolicy\.safety\.Explicit/],
      [{ ...base, reservedConcurency: '5' }, /reservedConcurency/],
    ];
    for (const [raw, pattern] of bad) expect(() => parseStackConfig(raw), JSON.stringify(raw)).to.throw(ConfigError, pattern);
  });
  it('refuses a renamed key by its old name, naming the new one (even with a valid value)', () => {
    expect(() => parseStackConfig({ ...base, classifierArchitecture: 'arm64' })).to.throw(
      ConfigError,
      /classifierArchitecture was renamed architecture: rename blog-image-moderation:classifierArchitecture to blog-image-moderation:architecture/,
    );
    expect(parseStackConfig({ ...base, architecture: 'arm64' }).architecture).to.equal('arm64');
    expect(() => parseStackConfig({ ...base, thresholds: { safety: { Alcohol: { review: 90 } } } })).to.throw(
      ConfigError,
      /thresholds was renamed moderationPolicy: rename blog-image-moderation:thresholds to blog-image-moderation:moderationPolicy/,
    );
  });
  it('reads Pulumi config as `pulumi up` does: an old key in the stack is refused, not ignored', async () => {
    await setupMocks('config-test');
    const saved = pulumi.runtime.allConfig();
    try {
      pulumi.runtime.setAllConfig({ 'aws:region': 'us-east-1', 'blog-image-moderation:classifierArchitecture': 'arm64' });
      expect(() => loadStackConfig()).to.throw(ConfigError, /classifierArchitecture was renamed architecture/);
      pulumi.runtime.setAllConfig({ 'aws:region': 'us-east-1', 'blog-image-moderation:architecture': 'arm64' });
      expect(loadStackConfig()).to.include({ architecture: 'arm64', serviceName: 'image-moderation-config-test' });
    } finally {
      pulumi.runtime.setAllConfig(saved);
      await pulumi.runtime.disconnect();
    }
  });
});
