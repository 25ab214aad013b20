/**
 * One Logger, one Metrics and one Tracer per process, configured from TelemetryConfig. Both log records
 * and EMF metric blobs go to one sink: stdout in a Lambda (CloudWatch Logs reads EMF from there),
 * stderr locally (stdout is the CLI's output), nowhere when quiet, an array in tests.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { TelemetryConfig } from './config.js';
import { redactValue } from './redact.js';
import { phase as timedPhase, type Phase } from './phases.js';

export interface LineSink {
  write(line: string): unknown;
}

type LoggerOptions = ConstructorParameters<typeof Logger>[0];
type LogItemLike = { getAttributes(): Record<string, unknown> };

/** Powertools' Logger with its records written to our sink (its own Console always writes to stdout). */
class SinkLogger extends Logger {
  constructor(
    options: LoggerOptions,
    private readonly sink: LineSink | undefined,
  ) {
    super(options);
  }
  protected override printLog(_level: number, log: LogItemLike): void {
    this.sink?.write(`${JSON.stringify(log.getAttributes(), redactValue)}\n`);
  }
  protected override createLogger(options?: LoggerOptions): Logger {
    return new SinkLogger({ ...options }, this.sink);
  }
}

/**
 * Powertools' Metrics with the EMF blob written to our sink, stamped with the configured log level: in a
 * Lambda with JSON logs and an application log level, a line without "level" counts as INFO and is
 * dropped at WARN or ERROR (infra/log-groups.ts lambdaLogging), which would lose every metric.
 */
class SinkMetrics extends Metrics {
  constructor(
    private readonly options: ConstructorParameters<typeof Metrics>[0] & {},
    private readonly sink: LineSink | undefined,
    private readonly level: string,
  ) {
    super(options);
  }
  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) this.sink?.write(`${JSON.stringify({ ...this.serializeMetrics(), level: this.level })}\n`);
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
  override singleMetric(): Metrics {
    return new SinkMetrics({ ...this.options, singleMetric: true }, this.sink, this.level);
  }
}

export interface Telemetry {
  readonly config: TelemetryConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Loaded only when tracing is on (a Lambda): the X-Ray SDK costs hundreds of ms to import. */
  readonly tracer: Promise<Tracer | undefined>;
  /**
   * Runs `fn` in an X-Ray subsegment named `name` (a plain call when tracing is off); with `phase`, its
   * wall time also counts towards that phase of the benchmark's profile (phases.ts).
   */
  traced<T>(name: string, fn: () => Promise<T>, phase?: Phase): Promise<T>;
  /** A metric with its own dimensions, published at once (EMF allows one dimension set per blob). */
  count(name: string, dimensions: Record<string, string>, value?: number): void;
  milliseconds(name: string, dimensions: Record<string, string>, value: number): void;
  bytes(name: string, dimensions: Record<string, string>, value: number): void;
}

export { MetricUnit };

export function createTelemetry(config: TelemetryConfig, sink: LineSink | undefined): Telemetry {
  const logger = new SinkLogger({ serviceName: config.service, logLevel: config.logLevel }, sink);
  const metrics = new SinkMetrics(
    { namespace: config.namespace, serviceName: config.service, ...(config.functionName ? { functionName: config.functionName } : {}) },
    sink,
    config.logLevel,
  );
  // captureHTTPsRequests off: an http subsegment records the full image URL, signed query string included.
  const tracer = config.tracing
    ? import('@aws-lambda-powertools/tracer')
        .then((m) => new m.Tracer({ serviceName: config.service, enabled: true, captureHTTPsRequests: false }))
        .catch(() => undefined)
    : Promise.resolve(undefined);

  const single = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], dimensions: Record<string, string>, value: number) => {
    const m = metrics.singleMetric();
    for (const [k, v] of Object.entries(dimensions)) m.addDimension(k, v);
    m.addMetric(name, unit, value);
  };

  // An X-Ray subsegment around fn, when tracing is on.
  const subsegment = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const tr = config.tracing ? await tracer : undefined;
    if (!tr?.isTracingEnabled()) return fn();
    const parent = tr.getSegment();
    const sub = parent?.addNewSubsegment(name);
    if (sub) tr.setSegment(sub);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Error) sub?.addError(err);
      throw err;
    } finally {
      sub?.close();
      if (parent) tr.setSegment(parent);
    }
  };

  return {
    config,
    logger,
    metrics,
    tracer,
    traced: (name, fn, phase) => (phase ? timedPhase(phase, () => subsegment(name, fn)) : subsegment(name, fn)),
    count: (name, dimensions, value = 1) => single(name, MetricUnit.Count, dimensions, value),
    milliseconds: (name, dimensions, value) => single(name, MetricUnit.Milliseconds, dimensions, value),
    bytes: (name, dimensions, value) => single(name, MetricUnit.Bytes, dimensions, value),
  };
}
