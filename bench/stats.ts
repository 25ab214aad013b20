/** Small statistics for the benchmarks: medians and percentiles, never means of noisy timings. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** One decimal: benchmark output is for reading, and the machines are too noisy for more. */
export const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Runs `fn` `n` times after `warmup` untimed runs; returns the durations in ms. */
export async function timeRuns(n: number, fn: () => Promise<unknown>, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
