/**
 * What every Lambda logs and where: its log group (created by the stack, not by Lambda on first write,
 * so it has a retention) and the Powertools settings the shared entry wrapper reads
 * (functions/shared/telemetry/config.ts).
 */
import * as aws from '@pulumi/aws';

export function functionLogGroup(name: string, functionName: string, retentionInDays: number, tags: Record<string, string>) {
  return new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${functionName}`, retentionInDays, tags });
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
