/**
 * Billed-duration estimate per Lambda: each step's real handler run as its Lambda runs it (no shared
 * raster, so every function decodes the staged bytes itself; one intra-op thread, about what a 1-2 GB
 * Lambda has), on the zebra photo and on a ~1 MP JPEG. Lambda gives a function CPU in proportion to its
 * memory (1,769 MB = one vCPU), so single-threaded compute measured here is scaled by
 * max(1, 1769 / memory); the S3 round trips this machine cannot measure are added as an assumption
 * (S3_MS per GET or PUT, same region, object under 1 MB). An estimate for the README's cost table, not
 * a measurement of AWS.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { classifierConfigFromEnv } from '../functions/classify/config.js';
import { createClassifyHandler, getClassifier } from '../functions/classify/handler.js';
import { fetchConfigFromEnv } from '../functions/fetch-image/config.js';
import { createFetchImageHandler } from '../functions/fetch-image/handler.js';
import type { FetchImageOutput } from '../functions/shared/contracts/index.js';
import { modelStoreOptions } from '../functions/shared/models/config.js';
import { LocalStagingStore } from '../functions/shared/staging/index.js';
import { safetyConfigFromEnv } from '../functions/safety/config.js';
import { createCheckSafetyHandler, getSafetyEngine } from '../functions/safety/handler.js';
import { median, r1, timeRuns } from './stats.js';

/** Assumed S3 GET or PUT latency for a small object from a Lambda in the bucket's region. */
export const S3_MS = 20;
const ONE_VCPU_MB = 1769;

/** Memory sizes the stack deploys (infra/functions.ts, infra/config.ts default). */
export const LAMBDA_MEMORY_MB = { FetchImage: 1024, ClassifyImage: 2048, CheckSafety: 1536 } as const;

export interface LambdaEstimate {
  memoryMb: number;
  /** p50 of the handler here, one thread, by image. */
  computeP50Ms: Record<string, number>;
  s3Ms: number;
  /** For the ~1 MP image: compute scaled to the Lambda's CPU share + S3, rounded up to 1 ms (Lambda bills per ms). */
  billedMs: number;
  gbSecondsPer1000: number;
}

export async function benchLambdas(opts: {
  model: string;
  mirrorDir?: string;
  photosDir: string;
  runs?: number;
  log?: (l: string) => void;
}): Promise<Record<string, LambdaEstimate>> {
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 20;
  const tmp = await mkdtemp(path.join(tmpdir(), 'bench-lambda-'));
  try {
    const store = new LocalStagingStore(path.join(tmp, 'staging'));
    const zebra = path.join(opts.photosDir, 'n02391049_zebra.JPEG');
    const oneMp = path.join(tmp, 'one-mp.jpeg');
    await writeFile(
      oneMp,
      await sharp(await readFile(zebra))
        .resize(1200, 900, { fit: 'fill' })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const images = { zebra, '1 MP': oneMp };

    const fetch = createFetchImageHandler({ store, config: { ...fetchConfigFromEnv(), allowLocalFiles: true } });
    // The model asked for (npm run bench: the deployed default); timing-only models are allowed here.
    const classifier = getClassifier({
      store: modelStoreOptions({ name: opts.model, mirrorDir: opts.mirrorDir }),
      config: classifierConfigFromEnv({}, 1),
      allowTimingOnly: true,
    });
    const safety = getSafetyEngine(safetyConfigFromEnv({}, 1));
    const classify = createClassifyHandler({ store, classifier: () => classifier });
    const check = createCheckSafetyHandler({ store, engine: () => safety });
    await Promise.all([classifier, safety]);

    const compute: Record<string, Record<string, number>> = { FetchImage: {}, ClassifyImage: {}, CheckSafety: {} };
    let staged: FetchImageOutput | undefined;
    for (const [name, file] of Object.entries(images)) {
      compute.FetchImage[name] = r1(median(await timeRuns(runs, () => fetch({ input: { imageUrl: file } }))));
      staged = await fetch({ input: { imageUrl: file } });
      compute.ClassifyImage[name] = r1(median(await timeRuns(runs, () => classify(staged!))));
      compute.CheckSafety[name] = r1(median(await timeRuns(runs, () => check(staged!))));
    }
    const out: Record<string, LambdaEstimate> = {};
    for (const [fn, memoryMb] of Object.entries(LAMBDA_MEMORY_MB)) {
      const ms = compute[fn]['1 MP'];
      // FetchImage: a GET of the source and a PUT to staging; the analysis steps: one GET.
      const s3Ms = fn === 'FetchImage' ? 2 * S3_MS : S3_MS;
      const billedMs = Math.ceil(ms * Math.max(1, ONE_VCPU_MB / memoryMb) + s3Ms);
      out[fn] = { memoryMb, computeP50Ms: compute[fn], s3Ms, billedMs, gbSecondsPer1000: r1((memoryMb / 1024) * billedMs) };
      log(`lambda ${fn}: ${JSON.stringify(out[fn])}`);
    }
    return out;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
