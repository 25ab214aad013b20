/**
 * The publishers' HTTP API under Pulumi's mocks, on a STANDARD (Pulumi.dev.yaml) and an EXPRESS + JWT
 * stack: every route authorised, POST /moderations a direct Step Functions integration, each role and
 * the publisher policy exact, access logs without bodies or tokens, CORS off, throttling per route.
 */
import { expect } from 'chai';
import { ACCESS_LOG_FIELDS } from '../../infra/http-api.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import type { PlannedResource } from '../../infra/plan/mocks.js';
import { oneResource as one, resourcesOf as of } from './fixtures.js';

interface Statement {
  Sid: string;
  Action: string[];
  Resource: string | string[];
  Condition?: unknown;
}
const statements = (r: PlannedResource) => (JSON.parse(r.inputs.policy as string) as { Statement: Statement[] }).Statement;
const bySid = (r: PlannedResource) => Object.fromEntries(statements(r).map((s) => [s.Sid, s]));
const SM = (stack: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:blog-image-moderation-${stack}-moderation`;
const EXEC = (stack: string) => `arn:aws:execute-api:us-east-1:123456789012:blog-image-moderation-${stack}-http-api-id`;

describe('infra: the HTTP API under mocks', function () {
  this.timeout(120_000);
  let standard: StackPlan;
  let express: StackPlan;
  before(async () => {
    standard = await planStack(readStackYaml('dev'), 'test-api-std');
    express = await planStack(
      {
        ...readStackYaml('dev'),
        workflowType: 'EXPRESS',
        httpApiAuth: 'jwt',
        httpApiJwtIssuer: 'https://issuer.example.com/',
        httpApiJwtAudience: ['blog-publisher'],
        httpApiCorsOrigins: ['https://cms.example.com'],
        httpApiRateLimit: '5',
        httpApiBurstLimit: '10',
      },
      'test-api-exp',
    );
  });

  const routes = (plan: StackPlan) => of(plan, 'aws:apigatewayv2/route:Route');
  const integrationOf = (plan: StackPlan, route: PlannedResource) => {
    const id = String(route.inputs.target).replace('integrations/', '').replace(/-id$/, '');
    return one(plan, 'aws:apigatewayv2/integration:Integration', id);
  };

  it('has the routes of each workflow type, and no route without authorisation', () => {
    expect(routes(standard).map((r) => r.inputs.routeKey)).to.have.members([
      'POST /moderations',
      'GET /moderations/{id}',
      'GET /verdicts/{sha256}',
      'POST /uploads',
      'GET /openapi.json',
    ]);
    // An EXPRESS execution cannot be described: its POST already answered the verdict.
    expect(routes(express).map((r) => r.inputs.routeKey)).to.have.members([
      'POST /moderations',
      'GET /verdicts/{sha256}',
      'POST /uploads',
      'GET /openapi.json',
    ]);
    for (const r of routes(standard)) expect(r.inputs.authorizationType, String(r.inputs.routeKey)).to.equal('AWS_IAM');
    const jwt = one(express, 'aws:apigatewayv2/authorizer:Authorizer', '-jwt').inputs;
    expect(jwt).to.deep.include({ authorizerType: 'JWT', identitySources: ['$request.header.Authorization'] });
    expect(jwt.jwtConfiguration).to.deep.equal({ issuer: 'https://issuer.example.com/', audiences: ['blog-publisher'] });
    for (const r of routes(express)) {
      expect(r.inputs.authorizationType, String(r.inputs.routeKey)).to.equal('JWT');
      expect(r.inputs.authorizerId).to.equal('blog-image-moderation-test-api-exp-jwt-id');
    }
    expect(of(standard, 'aws:apigatewayv2/authorizer:Authorizer')).to.be.empty;
  });

  it('starts executions with a direct Step Functions integration whose role may start exactly this state machine', () => {
    for (const [plan, stack, subtype, action] of [
      [standard, 'test-api-std', 'StepFunctions-StartExecution', 'states:StartExecution'],
      [express, 'test-api-exp', 'StepFunctions-StartSyncExecution', 'states:StartSyncExecution'],
    ] as const) {
      const post = routes(plan).find((r) => r.inputs.routeKey === 'POST /moderations')!;
      const integration = integrationOf(plan, post).inputs;
      expect(integration).to.deep.include({ integrationType: 'AWS_PROXY', integrationSubtype: subtype, payloadFormatVersion: '1.0' });
      expect(integration.requestParameters).to.deep.equal({ StateMachineArn: SM(stack), Input: '$request.body' });
      expect(integration.credentialsArn).to.equal(`arn:aws:iam::123456789012:role/blog-image-moderation-${stack}-api-start`);
      expect(statements(one(plan, 'aws:iam/rolePolicy:RolePolicy', '-api-start'))).to.deep.equal([
        { Sid: 'StartThisStateMachineOnly', Effect: 'Allow', Action: [action], Resource: SM(stack) },
      ]);
      const trust = JSON.parse(one(plan, 'aws:iam/role:Role', '-api-start').inputs.assumeRolePolicy as string) as { Statement: unknown[] };
      expect(trust.Statement).to.deep.equal([
        {
          Effect: 'Allow',
          Principal: { Service: 'apigateway.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ]);
    }
    // STANDARD: 202 and the execution to poll in Location; EXPRESS answers StartSyncExecution's 200 as is.
    const std = integrationOf(
      standard,
      routes(standard).find((r) => r.inputs.routeKey === 'POST /moderations')!,
    ).inputs;
    expect(std.responseParameters).to.deep.equal([
      { statusCode: '200', mappings: { 'overwrite:statuscode': '202', 'append:header.Location': '$response.body.executionArn' } },
    ]);
    const exp = integrationOf(
      express,
      routes(express).find((r) => r.inputs.routeKey === 'POST /moderations')!,
    ).inputs;
    expect(exp.responseParameters).to.equal(undefined);
  });

  it('serves the other routes from one Lambda, invokable by this API for exactly those routes', () => {
    const reads = routes(standard).filter((r) => r.inputs.routeKey !== 'POST /moderations');
    for (const r of reads) expect(integrationOf(standard, r).name).to.match(/-api-lambda$/);
    const lambda = one(standard, 'aws:apigatewayv2/integration:Integration', '-api-lambda').inputs;
    expect(lambda).to.deep.include({ integrationType: 'AWS_PROXY', payloadFormatVersion: '2.0' });
    expect(lambda.integrationUri).to.equal('arn:aws:lambda:us-east-1:123456789012:function:blog-image-moderation-test-api-std-api');
    const perms = of(standard, 'aws:lambda/permission:Permission').filter((p) => p.name.includes('-api-invoke-'));
    expect(perms.map((p) => p.inputs.sourceArn)).to.have.members([
      `${EXEC('test-api-std')}/*/GET/moderations/*`,
      `${EXEC('test-api-std')}/*/GET/verdicts/*`,
      `${EXEC('test-api-std')}/*/POST/uploads`,
      `${EXEC('test-api-std')}/*/GET/openapi.json`,
    ]);
    for (const p of perms) expect(p.inputs).to.deep.include({ principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction' });
  });

  it("gives the API Lambda exactly its reads and upload signing, and FetchImage the uploads' prefix", () => {
    const stagingArn = 'arn:aws:s3:::blog-image-moderation-test-api-std-staging-0mock';
    const s = bySid(one(standard, 'aws:iam/rolePolicy:RolePolicy', '-test-api-std-api'));
    expect(Object.keys(s)).to.have.members([
      'WriteOwnLogGroup',
      'XRayTracesNoResourceLevelPermissions',
      'DescribeThisStateMachinesExecutions',
      'DescribeTheVerdictTable',
      'ReadRecordedVerdicts',
      'NeverReadTaskTokens',
      'PresignUploads',
    ]);
    expect(s.DescribeThisStateMachinesExecutions).to.deep.include({
      Action: ['states:DescribeExecution'],
      Resource: 'arn:aws:states:us-east-1:123456789012:execution:blog-image-moderation-test-api-std-moderation:*',
    });
    expect(s.ReadRecordedVerdicts.Action).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(s.ReadRecordedVerdicts.Condition).to.deep.include({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IMG#*', 'POST#*', 'REVIEW#*'] } });
    expect(s.NeverReadTaskTokens).to.deep.include({ Effect: 'Deny', Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] } } });
    expect(s.PresignUploads).to.deep.include({ Action: ['s3:PutObject'], Resource: `${stagingArn}/staging/uploads/*` });
    expect(Object.keys(bySid(one(express, 'aws:iam/rolePolicy:RolePolicy', '-test-api-exp-api')))).to.not.include('DescribeThisStateMachinesExecutions');
    expect(statements(one(standard, 'aws:iam/rolePolicy:RolePolicy', '-fetch-uploads'))).to.deep.equal([
      { Sid: 'ReadPublisherUploads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${stagingArn}/staging/uploads/*` },
    ]);
    const env = (one(standard, 'aws:lambda/function:Function', '-test-api-std-api').inputs.environment as { variables: Record<string, string> }).variables;
    expect(env).to.deep.include({ WORKFLOW_TYPE: 'STANDARD', API_AUTH: 'iam', UPLOAD_PREFIX: 'staging/uploads/', STATE_MACHINE_ARN: SM('test-api-std') });
    expect(env.RULESET).to.equal(standard.outputs.ruleset);
  });

  it('extends the publisher policy with execute-api:Invoke on exactly these routes', () => {
    const s = bySid(one(standard, 'aws:iam/policy:Policy', '-publisher'));
    expect(s.CallTheHttpApi.Action).to.deep.equal(['execute-api:Invoke']);
    expect(s.CallTheHttpApi.Resource).to.have.members([
      `${EXEC('test-api-std')}/*/POST/moderations`,
      `${EXEC('test-api-std')}/*/GET/moderations/*`,
      `${EXEC('test-api-std')}/*/GET/verdicts/*`,
      `${EXEC('test-api-std')}/*/POST/uploads`,
      `${EXEC('test-api-std')}/*/GET/openapi.json`,
    ]);
    expect(standard.outputs.apiUrl).to.equal('https://blog-image-moderation-test-api-std-http-api-id.execute-api.us-east-1.amazonaws.com');
  });

  it('logs each request without its body, headers or token; throttles every route; CORS only when configured', () => {
    const stage = one(standard, 'aws:apigatewayv2/stage:Stage', '-api-default').inputs as {
      accessLogSettings: { destinationArn: string; format: string };
      routeSettings: Array<{ routeKey: string; throttlingRateLimit: number; throttlingBurstLimit: number }>;
      defaultRouteSettings: unknown;
    };
    expect(JSON.parse(stage.accessLogSettings.format)).to.deep.equal(ACCESS_LOG_FIELDS);
    expect(stage.accessLogSettings.format).to.not.match(/\$request\.|authorizer\.claims|apiKey|\.body/);
    expect(stage.accessLogSettings.destinationArn).to.match(/log-group:\/aws\/apigateway\/blog-image-moderation-test-api-std-api$/);
    expect(stage.routeSettings.map((r) => r.routeKey)).to.have.members(routes(standard).map((r) => r.inputs.routeKey as string));
    for (const r of stage.routeSettings) expect(r).to.deep.include({ throttlingRateLimit: 20, throttlingBurstLimit: 40 });
    const exp = one(express, 'aws:apigatewayv2/stage:Stage', '-api-default').inputs as typeof stage;
    for (const r of exp.routeSettings) expect(r).to.deep.include({ throttlingRateLimit: 5, throttlingBurstLimit: 10 });

    expect(one(standard, 'aws:apigatewayv2/api:Api', '-http-api').inputs.corsConfiguration).to.equal(undefined);
    expect((one(express, 'aws:apigatewayv2/api:Api', '-http-api').inputs.corsConfiguration as { allowOrigins: string[] }).allowOrigins).to.deep.equal([
      'https://cms.example.com',
    ]);
  });

  it('is left out with httpApi false, and jwt without an issuer is a configuration error', async () => {
    const off = await planStack({ ...readStackYaml('dev'), httpApi: 'false' }, 'test-api-off');
    expect(of(off, 'aws:apigatewayv2/api:Api')).to.be.empty;
    expect(bySid(one(off, 'aws:iam/policy:Policy', '-publisher'))).to.not.have.property('CallTheHttpApi');
    let message = '';
    try {
      await planStack({ ...readStackYaml('dev'), httpApiAuth: 'jwt' }, 'test-api-bad');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/httpApiAuth jwt needs httpApiJwtIssuer and httpApiJwtAudience/);
  });
});
