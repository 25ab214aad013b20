/**
 * Review and reject rates as CloudWatch metric math over the aggregate function's Decisions metric,
 * shared by the alarms and the dashboard so both show the same number. Below `minDecisions` in the
 * period the rate reads 0: three reviews out of five images is not an incident.
 */
import { METRICS } from '../functions/shared/telemetry/metric-names.js';
import { customMetric, type MetricsSettings } from './custom-metrics.js';

export interface DecisionRateSettings extends MetricsSettings {
  periodSeconds: number;
  minDecisions: number;
}

export const DECISIONS = ['approve', 'review', 'reject'] as const;

/** Metric-math ids: one query per decision, then the rate. */
export function decisionRateQueries(s: DecisionRateSettings, decision: 'review' | 'reject') {
  const metric = (d: string) => ({
    id: d,
    returnData: false,
    metric: { ...customMetric(s, METRICS.decisions, { decision: d }), period: s.periodSeconds, stat: 'Sum' },
  });
  const total = DECISIONS.map((d) => `FILL(${d}, 0)`).join(' + ');
  return [
    ...DECISIONS.map(metric),
    {
      id: `${decision}_rate`,
      label: `${decision} rate (%)`,
      returnData: true,
      expression: `IF((${total}) >= ${s.minDecisions}, 100 * FILL(${decision}, 0) / (${total}), 0)`,
    },
  ];
}
