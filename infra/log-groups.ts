/**
 * What every Lambda logs and where: its log group (created by the stack, not by Lambda on first write,
 * so it has a retention) and the Powertools settings the shared entry wrapper reads
 * (functions/shared/telemetry/config.ts).
 */
import * as aws from '@pulumi/aws';

export function functionLogGroup(name: string, functionName: string, retentionInDays: number, tags: Record<string, string>) {
  return new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${functionName}`, retentionInDays, tags });
}

/**
 * Every function's Lambda logging: JSON, its own log group, platform logs from WARN, application logs
 * from the configured level. Powertools Logger follows that level (Lambda passes it as
 * AWS_LAMBDA_LOG_LEVEL, which takes precedence over POWERTOOLS_LOG_LEVEL), and the EMF metric lines
 * carry it as their "level" (functions/shared/telemetry/create.ts): Lambda gives a JSON line without one
 * the level INFO (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html),
 * so at WARN or ERROR it would drop every metric.
 */
export function lambdaLogging(logGroup: aws.cloudwatch.LogGroup, t: TelemetrySettings): aws.types.input.lambda.FunctionLoggingConfig {
  return { logFormat: 'JSON', logGroup: logGroup.name, applicationLogLevel: t.logLevel, systemLogLevel: 'WARN' };
}

export interface TelemetrySettings {
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  metricsNamespace: string;
  serviceName: string;
}

/** The environment variables of the log level, the metrics' namespace and the service dimension. */
export function telemetryEnv(t: TelemetrySettings): Record<string, string> {
  return { POWERTOOLS_LOG_LEVEL: t.logLevel, POWERTOOLS_METRICS_NAMESPACE: t.metricsNamespace, POWERTOOLS_SERVICE_NAME: t.serviceName };
}
