/**
 * Every function of the stack is made here, so each gets the same frame: its own log group (created by
 * the stack, so it has a retention), its own role with an inline policy that starts with writing to that
 * log group and X-Ray, JSON logging at the configured level, active tracing, the stack's architecture and
 * tags. A resource file adds only what its function is for: its grants and its code, memory, environment.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { functionLogGroup, lambdaLogging, type TelemetrySettings } from './log-groups.js';
import { inlinePolicy, logsTo, serviceRole, XRAY, type Statement } from './iam.js';

/** What every function shares with the stack. */
export interface LambdaSettings {
  architecture: 'x86_64' | 'arm64';
  telemetry: TelemetrySettings;
  logRetentionDays: number;
  tags: Record<string, string>;
}

/** The parts of a function that differ from one to the next (the frame above sets the rest). */
export type FunctionSpec = Omit<aws.lambda.FunctionArgs, 'name' | 'role' | 'architectures' | 'tracingConfig' | 'loggingConfig' | 'tags'>;

/**
 * `<prefix>-<short>`: log group `/aws/lambda/<prefix>-<short>`, role and policy of the same name, then the
 * function, created after its policy and log group (its first cold start must be able to log) and after
 * `dependsOn` (what it reads at start-up: model objects, mount targets).
 */
export function lambdaWith(prefix: string, short: string, a: LambdaSettings, statements: Statement[], fnArgs: FunctionSpec, dependsOn: pulumi.Resource[] = []) {
  const functionName = `${prefix}-${short}`;
  const logGroup = functionLogGroup(functionName, functionName, a.logRetentionDays, a.tags);
  const role = serviceRole(functionName, 'lambda.amazonaws.com', a.tags);
  const policy = inlinePolicy(functionName, role, [logsTo(logGroup), XRAY, ...statements]);
  const fn = new aws.lambda.Function(
    functionName,
    {
      ...fnArgs,
      name: functionName,
      role: role.arn,
      architectures: [a.architecture],
      tracingConfig: { mode: 'Active' },
      loggingConfig: lambdaLogging(logGroup, a.telemetry),
      tags: a.tags,
    },
    { dependsOn: [policy, logGroup, ...dependsOn] },
  );
  return { fn, role, logGroup };
}

export type CreatedLambda = ReturnType<typeof lambdaWith>;
