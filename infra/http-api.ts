/**
 * The publishers' HTTP API (API Gateway v2). POST /moderations is a direct Step Functions integration:
 * StartSyncExecution on an EXPRESS stack (the answer carries the verdict), StartExecution on STANDARD
 * (202, Location = the execution ARN). HTTP APIs have no DescribeExecution, DynamoDB or S3 integration
 * and no mock integration, so the reads, presigned uploads and the OpenAPI document are one small Lambda
 * (functions/api/) running the same routes as `npm run serve`.
 *
 * Every route is authorised (AWS_IAM by default, or one JWT authoriser), throttled per route, CORS is off
 * unless origins are configured, and access logs name the request but never its body, headers or token.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { bundleFunction } from './build/bundle.js';
import type { StackConfig } from './config.js';
import { lambdaWith } from './lambda.js';
import { inlinePolicy, type Statement } from './iam.js';
import { publisherTableReads } from './verdict-table-access.js';
import { telemetryEnv, type TelemetrySettings } from './log-groups.js';
import type { LambdaNodeRuntime } from './build/runtime.js';
import { STAGING_PREFIX } from './storage.js';

/** Where presigned uploads land: under the staging prefix, so the staging expiry deletes them too. */
export const UPLOAD_PREFIX = `${STAGING_PREFIX}uploads/`;

/**
 * What an access log line holds: who called which route, the answer and its timing. Deliberately no
 * $context.authorizer.claims, no $request.* (headers, body, query) and no $context.identity.apiKey.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  caller: '$context.identity.userArn',
  sourceIp: '$context.identity.sourceIp',
} as const;

export interface HttpApiArgs {
  prefix: string;
  cfg: Pick<
    StackConfig,
    | 'workflowType'
    | 'httpApiAuth'
    | 'httpApiJwtIssuer'
    | 'httpApiJwtAudience'
    | 'httpApiCorsOrigins'
    | 'httpApiRateLimit'
    | 'httpApiBurstLimit'
    | 'architecture'
    | 'logRetentionDays'
  >;
  stateMachine: aws.sfn.StateMachine;
  verdictTable: aws.dynamodb.Table;
  stagingBucket: aws.s3.Bucket;
  /** FetchImage's role: it must read the uploads it is pointed at. */
  fetchRole: aws.iam.Role;
  ruleset: string;
  runtime: LambdaNodeRuntime;
  telemetry: TelemetrySettings;
  region: string;
  accountId: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface HttpApi {
  api: aws.apigatewayv2.Api;
  stage: aws.apigatewayv2.Stage;
  routes: Record<string, aws.apigatewayv2.Route>;
  /** execute-api:Invoke resources, one per route (the publisher policy grants exactly these). */
  invokeArns: pulumi.Output<string>[];
  url: pulumi.Output<string>;
}

/** The route key's execute-api resource: any stage, this method, the path with each {param} as *. */
export function invokeArnOf(executionArn: pulumi.Input<string>, routeKey: string): pulumi.Output<string> {
  const [method, routePath] = routeKey.split(' ');
  return pulumi.interpolate`${executionArn}/*/${method}${routePath.replace(/\{[^}]+\}/g, '*')}`;
}

export function createHttpApi(a: HttpApiArgs): HttpApi {
  const { cfg } = a;
  const express = cfg.workflowType === 'EXPRESS';
  const api = new aws.apigatewayv2.Api(`${a.prefix}-http-api`, {
    name: `${a.prefix}-api`,
    protocolType: 'HTTP',
    description: 'Publishers: moderate images, read verdicts (docs: GET /openapi.json)',
    ...(cfg.httpApiCorsOrigins.length
      ? {
          corsConfiguration: {
            allowOrigins: cfg.httpApiCorsOrigins,
            allowMethods: ['GET', 'POST'],
            allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
            exposeHeaders: ['location'],
            maxAge: 600,
          },
        }
      : {}),
    tags: a.tags,
  });

  const authorizer =
    cfg.httpApiAuth === 'jwt'
      ? new aws.apigatewayv2.Authorizer(`${a.prefix}-jwt`, {
          apiId: api.id,
          authorizerType: 'JWT',
          identitySources: ['$request.header.Authorization'],
          jwtConfiguration: { issuer: cfg.httpApiJwtIssuer!, audiences: cfg.httpApiJwtAudience! },
        })
      : undefined;
  const auth = authorizer ? { authorizationType: 'JWT', authorizerId: authorizer.id } : { authorizationType: 'AWS_IAM' };

  // --- POST /moderations: API Gateway starts the execution itself --------------------------------
  const startAction = express ? 'states:StartSyncExecution' : 'states:StartExecution';
  const startRole = new aws.iam.Role(`${a.prefix}-api-start`, {
    assumeRolePolicy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'apigateway.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // Only this account's APIs may use the role (confused deputy).
          Condition: { StringEquals: { 'aws:SourceAccount': a.accountId } },
        },
      ],
    }),
    tags: a.tags,
  });
  const startPolicy = inlinePolicy(`${a.prefix}-api-start`, startRole, [
    { Sid: 'StartThisStateMachineOnly', Effect: 'Allow', Action: [startAction], Resource: a.stateMachine.arn },
  ]);
  const start = new aws.apigatewayv2.Integration(
    `${a.prefix}-api-start`,
    {
      apiId: api.id,
      integrationType: 'AWS_PROXY',
      integrationSubtype: express ? 'StepFunctions-StartSyncExecution' : 'StepFunctions-StartExecution',
      credentialsArn: startRole.arn,
      // AWS service integrations take payload format 1.0 only.
      payloadFormatVersion: '1.0',
      // The body, as sent, is the execution input: FetchImage validates it with the contracts' schema.
      requestParameters: { StateMachineArn: a.stateMachine.arn, Input: '$request.body' },
      timeoutMilliseconds: 29_000,
      ...(express
        ? {}
        : {
            responseParameters: [{ statusCode: '200', mappings: { 'overwrite:statuscode': '202', 'append:header.Location': '$response.body.executionArn' } }],
          }),
    },
    { dependsOn: [startPolicy] },
  );

  // --- the Lambda behind the other routes ----------------------------------------------------------
  const executions = pulumi.interpolate`arn:aws:states:${a.region}:${a.accountId}:execution:${a.stateMachine.name}:*`;
  const fn = lambdaWith(
    a.prefix,
    'api',
    { architecture: cfg.architecture, telemetry: a.telemetry, logRetentionDays: cfg.logRetentionDays, tags: a.tags },
    [
      ...(express
        ? []
        : [{ Sid: 'DescribeThisStateMachinesExecutions', Effect: 'Allow' as const, Action: ['states:DescribeExecution'], Resource: executions }]),
      // What the publisher may read, as its own policy says: never the task-token items.
      ...publisherTableReads(a.verdictTable),
      // A presigned PUT is made with the function's credentials: it may only ever write new upload keys.
      { Sid: 'PresignUploads', Effect: 'Allow', Action: ['s3:PutObject'], Resource: pulumi.interpolate`${a.stagingBucket.arn}/${UPLOAD_PREFIX}*` },
    ],
    {
      packageType: 'Zip',
      runtime: a.runtime.id,
      handler: 'index.handler',
      code: bundleFunction('api', a.runtime.nodeMajor),
      memorySize: 256,
      timeout: 10,
      environment: {
        variables: {
          STATE_MACHINE_ARN: a.stateMachine.arn,
          WORKFLOW_TYPE: cfg.workflowType,
          API_AUTH: cfg.httpApiAuth,
          VERDICT_TABLE: a.verdictTable.name,
          RULESET: a.ruleset,
          UPLOAD_BUCKET: a.stagingBucket.bucket,
          UPLOAD_PREFIX,
          UPLOAD_EXPIRES_SECONDS: '300',
          FETCH_MAX_BYTES: String(DEFAULT_LIMITS.maxBytes),
          ...telemetryEnv(a.telemetry),
        },
      },
    },
  );
  const reads = new aws.apigatewayv2.Integration(`${a.prefix}-api-lambda`, {
    apiId: api.id,
    integrationType: 'AWS_PROXY',
    integrationUri: fn.fn.arn,
    integrationMethod: 'POST',
    payloadFormatVersion: '2.0',
    timeoutMilliseconds: 10_000,
  });

  // FetchImage reads what publishers uploaded (and nothing else of the staging bucket it did not write).
  new aws.iam.RolePolicy(`${a.prefix}-fetch-uploads`, {
    role: a.fetchRole.id,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadPublisherUploads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: pulumi.interpolate`${a.stagingBucket.arn}/${UPLOAD_PREFIX}*` },
      ] satisfies Statement[],
    }),
  });

  const routeKeys: Array<[string, aws.apigatewayv2.Integration]> = [
    ['POST /moderations', start],
    ...(express ? [] : ([['GET /moderations/{id}', reads]] as Array<[string, aws.apigatewayv2.Integration]>)),
    ['GET /verdicts/{sha256}', reads],
    ['POST /uploads', reads],
    ['GET /openapi.json', reads],
  ];
  const routes: Record<string, aws.apigatewayv2.Route> = {};
  for (const [routeKey, integration] of routeKeys) {
    const slug = routeKey
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/-+$/, '');
    routes[routeKey] = new aws.apigatewayv2.Route(`${a.prefix}-route-${slug}`, {
      apiId: api.id,
      routeKey,
      target: pulumi.interpolate`integrations/${integration.id}`,
      ...auth,
    });
    if (integration === reads) {
      // Invoked by this API for this route only.
      new aws.lambda.Permission(`${a.prefix}-api-invoke-${slug}`, {
        function: fn.fn.name,
        action: 'lambda:InvokeFunction',
        principal: 'apigateway.amazonaws.com',
        sourceArn: invokeArnOf(api.executionArn, routeKey),
      });
    }
  }

  const accessLogs = new aws.cloudwatch.LogGroup(`${a.prefix}-api-access`, {
    name: `/aws/apigateway/${a.prefix}-api`,
    retentionInDays: cfg.logRetentionDays,
    tags: a.tags,
  });
  const throttle = { throttlingRateLimit: cfg.httpApiRateLimit, throttlingBurstLimit: cfg.httpApiBurstLimit };
  const stage = new aws.apigatewayv2.Stage(
    `${a.prefix}-api-default`,
    {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: throttle,
      routeSettings: routeKeys.map(([routeKey]) => ({ routeKey, ...throttle })),
      accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FIELDS) },
      tags: a.tags,
    },
    { dependsOn: Object.values(routes) },
  );

  return {
    api,
    stage,
    routes,
    invokeArns: routeKeys.map(([routeKey]) => invokeArnOf(api.executionArn, routeKey)),
    url: api.apiEndpoint,
  };
}
