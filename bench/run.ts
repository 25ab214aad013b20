/**
 * `npm run bench [-- --json] [--model <name>] [--skip-workflow] [--skip-seed]`: the classifier for the configured model
 * (plus the deployed default's architecture with random weights, for its speed) and the whole workflow on
 * the embedded engine, the local HTTP API's added time per image over the CLI's, the perceptual hash per image, the local safety engine per image (agreement of two models vs MobileNetV2 alone), the quality measures per image, each Lambda's billed duration estimated from its handler (bench/lambda.ts), the seed's PyTorch stack side by side (bench/seed.ts, when Python and torch are present) and `goals`: issue 23's targets with the figures they compare. With --json, one JSON object on stdout; otherwise a readable summary.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DEPLOYED_MODEL, DEFAULT_LOCAL_MODEL } from '../functions/shared/models/catalog.js';
import { defaultMirror, sharedDir } from '../functions/shared/project.js';
import { EXACT_INT8_CONFIG } from '../functions/shared/models/onnx-session.js';
import { benchApi } from './api.js';
import { benchClassify, oneMegapixelJpeg, type ClassifyBenchResult } from './classify.js';
import { goalsSummary, type BenchGoals } from './goals-summary.js';
import { benchLambdas } from './lambda.js';
import { benchRelevance } from './relevance.js';
import { benchPerceptualHash } from './perceptual-hash.js';
import { benchQuality } from './quality.js';
import { benchSafety } from './safety.js';
import { benchSeed } from './seed.js';
import { benchWorkflow } from './workflow.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    model: { type: 'string', default: process.env.MODEL_NAME || DEFAULT_LOCAL_MODEL },
    'also-models': { type: 'string', default: 'mobilenet-v2-int8,resnet50-int8-random-timing' },
    'skip-workflow': { type: 'boolean', default: false },
    'skip-seed': { type: 'boolean', default: false },
  },
});
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const log = values.json ? () => {} : (line: string) => console.error(line);
const mirrorDir = defaultMirror();
const photosDir = path.join(sharedDir(), 'images/imagenet-sample');

const perceptualHash = await benchPerceptualHash({ photosDir, log });
const classifyByModel: Record<string, ClassifyBenchResult> = {};
for (const model of [
  values.model,
  ...values['also-models']
    .split(',')
    .map((s) => s.trim())
    .filter((m) => m && m !== values.model),
]) {
  classifyByModel[model] = await benchClassify({ model, mirrorDir, photosDir, log });
}
const safety = await benchSafety({ photosDir, log });
// The quality measures' own cost per image (issue budget 3 ms), apart from the workflow it runs inside.
const quality = await benchQuality({ photosDir, log });
const workflow = values['skip-workflow'] ? undefined : await benchWorkflow({ model: values.model, photosDir, log });
// The local HTTP API's cost over the CLI's per image (issue 25: at most 5 ms).
const api = values['skip-workflow'] ? undefined : await benchApi({ model: values.model, photosDir, log });
const relevance = await benchRelevance({ log });
const lambdas = await benchLambdas({ model: DEFAULT_DEPLOYED_MODEL, mirrorDir, photosDir, log });

// The seed's stack on the classifier benchmark's image and thread count, in this same run.
const seedDir = await mkdtemp(path.join(tmpdir(), 'bench-seed-'));
const seed = values['skip-seed']
  ? { skipped: '--skip-seed' }
  : await (async () => {
      const image = path.join(seedDir, 'one-mp.jpeg');
      await writeFile(image, await oneMegapixelJpeg(photosDir));
      return benchSeed({ image, threads: availableParallelism(), log });
    })().finally(() => rm(seedDir, { recursive: true, force: true }));

const classify = classifyByModel[values.model];
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
const seedR50 = 'models' in seed ? seed.models.resnet50.warmP50Ms : undefined;
// Issue 23's targets for the default classifier and the local workflow, each with the figures it compares.
const goals: BenchGoals = {
  model: values.model,
  exactInt8: EXACT_INT8_CONFIG.session.x64quantprecision === '1',
  coldInitMs: { value: classify.coldInitMs, target: '< 300', met: classify.coldInitMs < 300 },
  ...(seedR50 !== undefined
    ? { warmSpeedupVsSeedResnet50: { value: ratio(seedR50, classify.warmP50Ms), target: '>= 2 (aim 4)', met: seedR50 / classify.warmP50Ms >= 2 } }
    : {}),
  ...(workflow
    ? {
        workflowP50RatioToClassifierWarm: {
          value: ratio(workflow.localExecP50Ms, classify.warmP50Ms),
          target: '<= 2',
          met: workflow.localExecP50Ms / classify.warmP50Ms <= 2,
        },
        workflowThroughputRatioToClassifier: {
          value: ratio(workflow.imagesPerSec, classify.imagesPerSec),
          target: '>= 0.4',
          met: workflow.imagesPerSec / classify.imagesPerSec >= 0.4,
        },
      }
    : {}),
};
const result = {
  machine: {
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    node: process.version,
    loadAtStart,
    loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  goals,
  classify,
  classifyByModel,
  safety,
  perceptualHash,
  quality,
  ...(workflow
    ? {
        workflow: {
          ...workflow,
          engineOverheadVsClassifyPlusSafetyMs: workflow.engineOverheadMs,
          // Both measured in this run, so the machine's load mostly cancels out (issue 14's targets:
          // throughput ratio >= 0.4, p50 ratio <= 2).
          ratioToClassifier: ratio(workflow.imagesPerSec, classify.imagesPerSec),
          p50RatioToClassifierWarm: ratio(workflow.localExecP50Ms, classify.warmP50Ms),
        },
      }
    : {}),
  ...(api ? { api } : {}),
  relevance,
  lambdaBilledEstimate: lambdas,
  seed,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(JSON.stringify(result, null, 2));
  // The goals again, one line each, where a reader looks first: the end of the output.
  console.log(`\n${goalsSummary(goals)}`);
}
