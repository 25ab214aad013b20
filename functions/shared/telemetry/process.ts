/**
 * The process's telemetry. In a Lambda: the environment's settings, records to stdout. Locally the CLI
 * sets its own (stderr, quiet unless --verbose) before the first step runs.
 */
import { telemetryConfigFromEnv } from './config.js';
import { createTelemetry, type LineSink, type Telemetry } from './create.js';
import { instrumentS3Clients } from '../s3-client.js';

let current: Telemetry | undefined;
let quiet: Telemetry | undefined;

export function lambdaTelemetry(): Telemetry {
  if (!current) {
    const t = createTelemetry(telemetryConfigFromEnv(), process.stdout);
    // Every S3 call (staging, model seeding) becomes an X-Ray subsegment.
    instrumentS3Clients(async (client) => (await t.tracer)?.captureAWSv3Client(client) ?? client);
    current = t;
  }
  return current;
}

/** A telemetry that writes nowhere (direct calls of a step's core in tests, quiet local runs). */
export function quietTelemetry(): Telemetry {
  quiet ??= createTelemetry({ ...telemetryConfigFromEnv({}), logLevel: 'SILENT', tracing: false }, undefined as LineSink | undefined);
  return quiet;
}
