/**
 * The seed's stack measured in the same run as ours (bench/seed_stack.py: Python, PyTorch, torchvision,
 * PIL; ResNet-50 and ResNet-18 with random weights, so timings only). Runs when a Python 3 with torch and
 * torchvision is found (SEED_PYTHON, else /usr/bin/python3, else python3 on PATH; Debian's python3-torch
 * and python3-torchvision install offline); otherwise the section says why it was skipped. Same image
 * (the ~1 MP JPEG the classifier benchmark uses) and the same thread count as our classifier.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../functions/shared/project.js';
import { r1 } from './stats.js';

const run = promisify(execFile);

export interface SeedModelTiming {
  preprocessP50Ms: number;
  inferenceP50Ms: number;
  /** Image file → top-5, warm. */
  warmP50Ms: number;
  constructMs: number;
}

export type SeedBenchResult =
  | {
      python: string;
      torch: string;
      torchvision: string;
      threads: number;
      weights: 'random (timing only)';
      importTorchMs: number;
      /** The interpreter's first line → first top-5 of ResNet-50 (import torch, build the model, one image). */
      coldInitMs: number;
      models: Record<'resnet50' | 'resnet18', SeedModelTiming>;
      rssMB: number;
    }
  | { skipped: string };

async function findPython(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const candidate of [env.SEED_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c)) {
    try {
      await run(candidate, ['-c', 'import torch, torchvision, PIL']);
      return candidate;
    } catch {
      // Not this one: no interpreter there, or no torch in it.
    }
  }
  return undefined;
}

export async function benchSeed(opts: { image: string; threads: number; runs?: number; log?: (l: string) => void }): Promise<SeedBenchResult> {
  const log = opts.log ?? (() => {});
  const python = await findPython(process.env);
  if (!python) return { skipped: 'no Python 3 with torch and torchvision (apt-get install python3-torch python3-torchvision, or set SEED_PYTHON)' };
  const { stdout } = await run(python, [path.join(projectRoot, 'bench/seed_stack.py'), opts.image, String(opts.threads), String(opts.runs ?? 20)], {
    maxBuffer: 1 << 20,
  });
  const raw = JSON.parse(stdout) as {
    torch: string;
    torchvision: string;
    threads: number;
    importTorchMs: number;
    rssMB: number;
    models: Record<'resnet50' | 'resnet18', SeedModelTiming & { processToFirstResultMs?: number }>;
  };
  const timing = (m: SeedModelTiming): SeedModelTiming => ({
    preprocessP50Ms: r1(m.preprocessP50Ms),
    inferenceP50Ms: r1(m.inferenceP50Ms),
    warmP50Ms: r1(m.warmP50Ms),
    constructMs: r1(m.constructMs),
  });
  const result: SeedBenchResult = {
    python,
    torch: raw.torch,
    torchvision: raw.torchvision,
    threads: raw.threads,
    weights: 'random (timing only)',
    importTorchMs: r1(raw.importTorchMs),
    coldInitMs: r1(raw.models.resnet50.processToFirstResultMs ?? Number.NaN),
    models: { resnet50: timing(raw.models.resnet50), resnet18: timing(raw.models.resnet18) },
    rssMB: Math.round(raw.rssMB),
  };
  log(`seed stack: ${JSON.stringify(result)}`);
  return result;
}
