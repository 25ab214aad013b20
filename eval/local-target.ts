/**
 * The local eval target: the real local workflow (the deployed state machine on the embedded engine, the
 * real models and policy) with a throwaway verdict store, AggregateVerdict's input captured as it runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AggregateInput, QualityMeasures } from '../functions/shared/contracts/index.js';
import type { DecideInput } from '../functions/aggregate/decide.js';
import { decideInputOf } from '../functions/aggregate/verdict.js';
import type { CreateLocalWorkflow } from '../workflows/local/workflow.js';
import type { EvalReport } from './report.js';
import type { EvalTarget } from './target.js';

export interface LocalTargetOptions {
  stagingDir: string;
  model?: string;
  mirror?: string;
  safetyEngine: 'local' | 'rekognition';
  env: NodeJS.ProcessEnv;
}

export async function createLocalTarget(opts: LocalTargetOptions, createWorkflow: CreateLocalWorkflow): Promise<EvalTarget> {
  const inputs = new Map<string, DecideInput>();
  const measures = new Map<string, QualityMeasures>();
  const models: EvalReport['models'] = {};
  // A throwaway verdict store: eval must neither answer from earlier verdicts nor leave review items behind.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'moderation-eval-'));
  let workflow;
  try {
    workflow = await createWorkflow({
      stagingDir: opts.stagingDir,
      dataDir,
      mirror: opts.mirror,
      model: opts.model,
      safetyEngine: opts.safetyEngine,
      env: opts.env,
      wrap: (fn, handler) =>
        fn.includes('aggregate')
          ? async (payload) => {
              const event = payload as AggregateInput;
              if (typeof event.input?.imageUrl === 'string') {
                inputs.set(event.input.imageUrl, decideInputOf(event));
                if (event.image?.quality) measures.set(event.input.imageUrl, event.image.quality);
              }
              models.classifier ??= event.classification?.model;
              if (event.safety && 'model' in event.safety) models.safety ??= event.safety.model;
              if (event.safety?.engine === 'rekognition' && !('labels' in event.safety)) {
                models.safety ??= { name: 'rekognition', version: event.safety.views?.[0]?.modelVersion ?? event.safety.modelVersion };
              }
              return handler(payload);
            }
          : handler,
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const local = workflow;
  return {
    target: { kind: 'local', safetyEngine: opts.safetyEngine },
    models,
    policyMatches: true,
    async moderate(img) {
      const run = await local.run({ imageUrl: img.path, reModerate: true });
      return { verdict: run.verdict, input: inputs.get(img.path), measures: measures.get(img.path) };
    },
    async close() {
      await local.close?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
