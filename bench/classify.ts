/**
 * Classifier benchmark for one model: cold init (bundle import → ready session, in a fresh process),
 * session.run alone on a prepared tensor, preprocessing of a ~1 MP JPEG, bytes-in → top-5-out warm
 * latency, batched throughput on all cores, and RSS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import sharp from 'sharp';
import { getClassifier } from '../functions/classify/handler.js';
import { modelStoreOptions } from '../functions/shared/models/config.js';
import { projectRoot } from '../functions/shared/project.js';
import { lambdaBuildOptions, NATIVE_MODULES } from '../infra/build/lambda-bundles.js';
import { median, quantile, r1, timeRuns } from './stats.js';

export interface ClassifyBenchOptions {
  model: string;
  mirrorDir?: string;
  photosDir: string;
  runs?: number;
  log?: (line: string) => void;
}

export interface ClassifyBenchResult {
  model: string;
  threads: number;
  /** Process start → first top-5 (Node start-up, bundle import, session, one image), median of 3. */
  coldInitMs: number;
  coldInitRuns: number[];
  /** The median run's parts: Node's own start-up, bundle import, session creation, the first image. */
  coldInitPartsMs: { nodeStart: number; import: number; session: number; firstImage: number };
  ortRunP50Ms: number;
  preprocessP50Ms: number;
  warmP50Ms: number;
  warmP95Ms: number;
  /** warm p50 − (ortRun p50 + preprocess p50): what the handler adds (goal: under 2 ms). */
  hiddenOverheadMs: number;
  imagesPerSec: number;
  batchSize: number;
  rssMB: number;
}

/** The handler bundled exactly as the Lambda image bundles it (infra/build/lambda-bundles.ts). */
async function bundleHandler(dir: string): Promise<string> {
  const outfile = path.join(dir, 'classify.mjs');
  await build(lambdaBuildOptions('classify', outfile, { external: NATIVE_MODULES }));
  return outfile;
}

/** The classifier benchmark's image: the first sample photo stretched to a ~1 MP JPEG, the size of a typical blog image. */
export async function oneMegapixelJpeg(photosDir: string): Promise<Buffer> {
  const first = (await readdir(photosDir)).filter((f) => /\.jpe?g$/i.test(f)).sort()[0];
  return sharp(await readFile(path.join(photosDir, first)))
    .resize(1200, 900, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export async function benchClassify(opts: ClassifyBenchOptions): Promise<ClassifyBenchResult> {
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 50;
  const threads = availableParallelism();
  const store = modelStoreOptions({ name: opts.model, mirrorDir: opts.mirrorDir });
  const classifier = await getClassifier({ store, config: { threads, maxPixels: 40e6 }, allowTimingOnly: true });

  // Cold init in fresh processes (the model is in the cache now, as on a warm EFS).
  const tmp = await mkdtemp(path.join(tmpdir(), 'bench-classify-'));
  const coldInitRuns: number[] = [];
  const coldParts: ClassifyBenchResult['coldInitPartsMs'][] = [];
  const files = (await readdir(opts.photosDir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
  try {
    const bundle = await bundleHandler(tmp);
    // The bundle lives outside the repo, so node must find sharp/onnxruntime-node from here.
    const linked = path.join(tmp, 'node_modules');
    await symlink(path.join(projectRoot, 'node_modules'), linked, 'dir');
    for (let i = 0; i < 3; i++) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(projectRoot, 'bench/cold-init.mjs'), bundle, path.join(opts.photosDir, files[0])],
        {
          env: {
            ...process.env,
            MODEL_NAME: opts.model,
            MODEL_CACHE_DIR: store.cacheDir,
            // As the deployed classifier (infra/classifier.ts): V8's compile cache beside the cached model.
            NODE_COMPILE_CACHE: path.join(store.cacheDir, '.node-compile-cache'),
            CLASSIFIER_THREADS: String(threads),
            ...(opts.mirrorDir ? { MODEL_MIRROR: opts.mirrorDir } : {}),
          },
        },
      );
      const child = JSON.parse(stdout) as { nodeStartMs: number; importMs: number; sessionMs: number; firstImageMs: number; coldInitMs: number };
      coldInitRuns.push(r1(child.coldInitMs));
      coldParts.push({ nodeStart: r1(child.nodeStartMs), import: r1(child.importMs), session: r1(child.sessionMs), firstImage: r1(child.firstImageMs) });
      log(
        `classify ${opts.model}: cold init ${r1(child.coldInitMs)} ms (node ${r1(child.nodeStartMs)}, import ${r1(child.importMs)}, session ${r1(child.sessionMs)}, first image ${r1(child.firstImageMs)})`,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }

  const photos = await Promise.all(files.map((f) => readFile(path.join(opts.photosDir, f))));
  const oneMp = await oneMegapixelJpeg(opts.photosDir);
  const tensor = await classifier.tensorFor([oneMp]);

  const ort = await timeRuns(runs, () => classifier.run(tensor));
  const pre = await timeRuns(runs, () => classifier.tensorFor([oneMp]));
  const warm = await timeRuns(runs, () => classifier.classify(oneMp));

  const batchSize = 10;
  const t0 = performance.now();
  for (let i = 0; i < photos.length; i += batchSize) await classifier.classifyBatch(photos.slice(i, i + batchSize));
  const imagesPerSec = photos.length / ((performance.now() - t0) / 1000);

  const result: ClassifyBenchResult = {
    model: opts.model,
    threads,
    coldInitMs: r1(median(coldInitRuns)),
    coldInitRuns,
    coldInitPartsMs: coldParts[coldInitRuns.indexOf(median(coldInitRuns))] ?? coldParts[0],
    ortRunP50Ms: r1(median(ort)),
    preprocessP50Ms: r1(median(pre)),
    warmP50Ms: r1(median(warm)),
    warmP95Ms: r1(quantile(warm, 0.95)),
    hiddenOverheadMs: r1(median(warm) - median(ort) - median(pre)),
    imagesPerSec: r1(imagesPerSec),
    batchSize,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  log(`classify ${opts.model}: ${JSON.stringify(result)}`);
  return result;
}
