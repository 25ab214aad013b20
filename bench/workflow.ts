/**
 * Workflow benchmark: the whole state machine on the embedded engine with the real handlers and model.
 * - localExecP50Ms: one image, warm, whole execution (fetch from a local file → verdict).
 * - engineOverheadMs: localExecP50Ms − (ClassifyImage p50 + CheckSafety p50), as the issue defines it;
 *   engineOnlyMs subtracts every task's p50 (fetch, parallel branches' max, aggregate) instead.
 * - imagesPerSec: a directory of photos at each concurrency tried; the best one is reported.
 * - profile: per step, p50 of the state's wall time, of its handler, and of the handler's phases
 *   (decode, resize, session.run, staging I/O, ...; functions/shared/telemetry/phases.ts); `engineMs` is what the
 *   engine adds around the handler (payload JSON round trips, scheduling), `otherMs` what the handler
 *   spends outside the named phases. `engine.outsideStatesMs` is the execution's time outside the three
 *   top-level states.
 * Runs alone with `tsx bench/workflow.ts [--json]`, and as the `workflow` section of `npm run bench`.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { STATE_NAMES } from '../functions/shared/contracts/states.js';
import { profiled, type PhaseTimes } from '../functions/shared/telemetry/phases.js';
import { sharedDir } from '../functions/shared/project.js';
import type { StepHandler } from '../workflows/local/engine.js';
import { LOCAL_FUNCTIONS } from '../workflows/local/definition.js';
import { createLocalWorkflow, type LocalWorkflow } from '../workflows/local/workflow.js';
import { quantile, r1 } from './stats.js';

export interface WorkflowBenchOptions {
  photosDir?: string;
  warmRuns?: number;
  concurrencies?: number[];
  model?: string;
  log?: (line: string) => void;
}

export interface StepProfile {
  stateMs: number;
  handlerMs: number;
  engineMs: number;
  phasesMs: Record<string, number>;
  otherMs: number;
}

export interface WorkflowProfile {
  steps: Record<string, StepProfile>;
  engine: { execMs: number; outsideStatesMs: number };
}

export interface WorkflowBenchResult {
  image: string;
  runs: number;
  localExecP50Ms: number;
  localExecP90Ms: number;
  stateP50Ms: Record<string, number>;
  engineOverheadMs: number;
  engineOnlyMs: number;
  images: number;
  imagesPerSec: number;
  bestConcurrency: number;
  imagesPerSecByConcurrency: Record<string, number>;
  profile: WorkflowProfile;
}

const STEP_OF_FUNCTION: Record<string, string> = {
  [LOCAL_FUNCTIONS.fetch]: STATE_NAMES.fetch,
  [LOCAL_FUNCTIONS.classify]: STATE_NAMES.classify,
  [LOCAL_FUNCTIONS.safety]: STATE_NAMES.safety,
  [LOCAL_FUNCTIONS.aggregate]: STATE_NAMES.aggregate,
};

/** Collects every handler call's phases while `recording` is set (the sequential warm runs only). */
class HandlerProfiles {
  recording = false;
  readonly calls: Record<string, { totalMs: number; phases: PhaseTimes }[]> = {};

  wrap = (functionName: string, handler: StepHandler): StepHandler => {
    const step = STEP_OF_FUNCTION[functionName] ?? functionName;
    return async (payload) => {
      if (!this.recording) return handler(payload);
      const { result, phases, totalMs } = await profiled(() => handler(payload));
      (this.calls[step] ??= []).push({ totalMs, phases });
      return result;
    };
  };
}

function summarizeProfile(profiles: HandlerProfiles, stateP50Ms: Record<string, number>, execMs: number): WorkflowProfile {
  const steps: Record<string, StepProfile> = {};
  for (const [step, calls] of Object.entries(profiles.calls)) {
    const handlerMs = quantile(
      calls.map((c) => c.totalMs),
      0.5,
    );
    const names = [...new Set(calls.flatMap((c) => Object.keys(c.phases)))];
    const phasesMs = Object.fromEntries(
      names.map((n) => [
        n,
        r1(
          quantile(
            calls.map((c) => c.phases[n as keyof PhaseTimes] ?? 0),
            0.5,
          ),
        ),
      ]),
    );
    const inPhases = quantile(
      calls.map((c) => Object.values(c.phases).reduce((a, b) => a + (b ?? 0), 0)),
      0.5,
    );
    const stateMs = stateP50Ms[step] ?? 0;
    steps[step] = { stateMs, handlerMs: r1(handlerMs), engineMs: r1(stateMs - handlerMs), phasesMs, otherMs: r1(handlerMs - inPhases) };
  }
  const at = (s: string) => stateP50Ms[s] ?? 0;
  return { steps, engine: { execMs: r1(execMs), outsideStatesMs: r1(execMs - at(STATE_NAMES.fetch) - at(STATE_NAMES.analyze) - at(STATE_NAMES.aggregate)) } };
}

async function throughput(workflow: LocalWorkflow, files: string[], concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const f = files[next++];
        // reModerate: the benchmark measures the whole pipeline, not the verdict store's answer.
        const run = await workflow.run({ imageUrl: f, reModerate: true });
        if (!run.verdict) throw new Error(`no verdict for ${f}`);
      }
    }),
  );
  return files.length / ((performance.now() - t0) / 1000);
}

export async function benchWorkflow(opts: WorkflowBenchOptions = {}): Promise<WorkflowBenchResult> {
  const log = opts.log ?? (() => {});
  const photosDir = opts.photosDir ?? path.join(sharedDir(), 'images/imagenet-sample');
  const files = (await readdir(photosDir))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => path.join(photosDir, f));
  if (files.length === 0) throw new Error(`No photos in ${photosDir}; set SHARED_DIR to the directory holding images/imagenet-sample.`);
  const tmp = await mkdtemp(path.join(tmpdir(), 'bench-workflow-'));
  try {
    const profiles = new HandlerProfiles();
    const workflow = await createLocalWorkflow({
      stagingDir: tmp,
      dataDir: path.join(tmp, 'data'),
      safetyEngine: 'local',
      model: opts.model,
      wrap: profiles.wrap,
    });
    const image = files.find((f) => f.includes('zebra')) ?? files[0];
    for (let i = 0; i < 5; i++) await workflow.run({ imageUrl: image, reModerate: true });
    const runs = opts.warmRuns ?? 40;
    const totals: number[] = [];
    const perState: Record<string, number[]> = {};
    profiles.recording = true;
    for (let i = 0; i < runs; i++) {
      const run = await workflow.run({ imageUrl: image, reModerate: true });
      totals.push(run.totalMs);
      for (const [s, ms] of Object.entries(run.timings)) (perState[s] ??= []).push(ms);
    }
    profiles.recording = false;
    const stateP50Ms = Object.fromEntries(Object.entries(perState).map(([s, v]) => [s, r1(quantile(v, 0.5))]));
    const p50 = quantile(totals, 0.5);
    const at = (s: string) => stateP50Ms[s] ?? 0;
    const engineOverheadMs = p50 - (at(STATE_NAMES.classify) + at(STATE_NAMES.safety));
    const engineOnlyMs = p50 - (at(STATE_NAMES.fetch) + Math.max(at(STATE_NAMES.classify), at(STATE_NAMES.safety)) + at(STATE_NAMES.aggregate));
    const profile = summarizeProfile(profiles, stateP50Ms, p50);
    log(`workflow: one image warm p50 ${r1(p50)} ms over ${runs} runs; states ${JSON.stringify(stateP50Ms)}`);
    for (const [step, p] of Object.entries(profile.steps)) log(`workflow:   ${step} ${JSON.stringify(p)}`);

    const byConcurrency: Record<string, number> = {};
    for (const c of opts.concurrencies ?? [1, 2, 4]) {
      byConcurrency[String(c)] = r1(await throughput(workflow, files, c));
      log(`workflow: ${files.length} photos at concurrency ${c}: ${byConcurrency[String(c)]} images/s`);
    }
    const [bestConcurrency, imagesPerSec] = Object.entries(byConcurrency).reduce((a, b) => (b[1] > a[1] ? b : a));
    return {
      image: path.basename(image),
      runs,
      localExecP50Ms: r1(p50),
      localExecP90Ms: r1(quantile(totals, 0.9)),
      stateP50Ms,
      engineOverheadMs: r1(engineOverheadMs),
      engineOnlyMs: r1(engineOnlyMs),
      images: files.length,
      imagesPerSec,
      bestConcurrency: Number(bestConcurrency),
      imagesPerSecByConcurrency: byConcurrency,
      profile,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const json = process.argv.includes('--json');
  const result = await benchWorkflow({ log: json ? undefined : (l) => console.error(l) });
  console.log(json ? JSON.stringify({ workflow: result }) : result);
}
