/**
 * Per-phase timings inside a step (decode, resize, session.run, staging I/O, ...), for the benchmark's
 * profile. A handler call that runs inside `profiled()` collects them; everywhere else (Lambda, CLI,
 * tests) `phase()` is a plain call: no clock, no allocation, nothing recorded. A handler that also wants
 * the work in an X-Ray subsegment passes the phase to `Telemetry.traced` (create.ts) instead: one call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The phases the benchmark reports; anything a handler does outside them shows up as its remainder. */
export type Phase = 'read' | 'header' | 'views' | 'decode' | 'resize' | 'tensor' | 'session.run' | 'staging I/O' | 'hash' | 'perceptual hash' | 'quality';

export type PhaseTimes = Partial<Record<Phase, number>>;

const sink = new AsyncLocalStorage<PhaseTimes>();

/** Runs `fn`, adding its wall time to `name` when a profile is being collected. */
export async function phase<T>(name: Phase, fn: () => Promise<T>): Promise<T> {
  const times = sink.getStore();
  if (!times) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    times[name] = (times[name] ?? 0) + (performance.now() - t0);
  }
}

/** Synchronous variant (hashing, tensor writes). */
export function phaseSync<T>(name: Phase, fn: () => T): T {
  const times = sink.getStore();
  if (!times) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    times[name] = (times[name] ?? 0) + (performance.now() - t0);
  }
}

/** Runs `fn` collecting its phases; `totalMs` is its whole wall time. */
export async function profiled<T>(fn: () => Promise<T>): Promise<{ result: T; phases: PhaseTimes; totalMs: number }> {
  const phases: PhaseTimes = {};
  const t0 = performance.now();
  const result = await sink.run(phases, fn);
  return { result, phases, totalMs: performance.now() - t0 };
}
