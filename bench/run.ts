/**
 * `npm run bench [-- --json] [--model <name>] [--skip-workflow]`: the classifier for the configured model
 * (plus the deployed default's architecture with random weights, for its speed) and the whole workflow on
 * the embedded engine, the local HTTP API's added time per image over the CLI's, the perceptual hash per image, the local safety engine per image (agreement of two models vs MobileNetV2 alone), the quality measures per image, and each Lambda's billed duration estimated from its handler (bench/lambda.ts). With --json, one JSON object on stdout; otherwise a readable summary.
 */
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_MODEL } from '../functions/shared/models/catalog.js';
import { defaultMirror, sharedDir } from '../functions/shared/project.js';
import { benchApi } from './api.js';
import { benchClassify, type ClassifyBenchResult } from './classify.js';
import { benchLambdas } from './lambda.js';
import { benchRelevance } from './relevance.js';
import { benchPerceptualHash } from './perceptual-hash.js';
import { benchQuality } from './quality.js';
import { benchSafety } from './safety.js';
import { benchWorkflow } from './workflow.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    model: { type: 'string', default: process.env.MODEL_NAME || DEFAULT_LOCAL_MODEL },
    'also-models': { type: 'string', default: 'mobilenet-v2-int8,resnet50-int8-random-timing' },
    'skip-workflow': { type: 'boolean', default: false },
  },
});
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
const lambdas = await benchLambdas({ model: 'resnet50-int8-random-timing', mirrorDir, photosDir, log });

const classify = classifyByModel[values.model];
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
const result = {
  machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
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
};
if (values.json) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 2));
