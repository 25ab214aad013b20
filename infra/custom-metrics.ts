/**
 * Our EMF metrics as the dashboard and the alarms address them: the namespace and the `service` dimension
 * from the stack config (the same values the functions get through telemetryEnv), the metric's name and
 * its dimension keys from functions/shared/telemetry/metric-names.ts. Nothing here spells a metric or a
 * dimension by hand, so a graph or alarm cannot point at a series nobody emits.
 */
import { METRIC_DIMENSIONS, type MetricName } from '../functions/shared/telemetry/metric-names.js';

export interface MetricsSettings {
  namespace: string;
  service: string;
}

type OtherDimensions<N extends MetricName> = Exclude<(typeof METRIC_DIMENSIONS)[N][number], 'service'>;

/** One series: every dimension the metric is emitted with must be given a value (CloudWatch matches the full set). */
export function customMetric<N extends MetricName>(s: MetricsSettings, name: N, values: Record<OtherDimensions<N>, string>) {
  const dimensions: Record<string, string> = { service: s.service, ...values };
  const expected = [...METRIC_DIMENSIONS[name]].sort();
  if (JSON.stringify(Object.keys(dimensions).sort()) !== JSON.stringify(expected)) {
    throw new Error(`${name} is emitted with dimensions ${expected.join(', ')}; got ${Object.keys(dimensions).join(', ')}.`);
  }
  return { namespace: s.namespace, metricName: name, dimensions };
}

/** Every series of a metric in this service, whatever its other dimension values (a dashboard SEARCH). */
export function searchExpression(s: MetricsSettings, name: MetricName, stat: string, periodSeconds = 300): string {
  return `SEARCH('{${[s.namespace, ...METRIC_DIMENSIONS[name]].join(',')}} MetricName="${name}" service="${s.service}"', '${stat}', ${periodSeconds})`;
}

/** A dashboard widget's metric array entry: [namespace, name, dim, value, ..., options]. */
export function widgetMetric(m: ReturnType<typeof customMetric>, options: Record<string, unknown>): unknown[] {
  return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), options];
}
