/**
 * The local safety engine per image: bytes → labels over the sample photos, warm, for the shipped
 * agreement engine (MobileNetV2 on every photo, InceptionV3 only where MobileNetV2 reports something)
 * and for MobileNetV2 alone, plus how often the second opinion ran. Medians and p95 only.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StagedImage } from '../functions/shared/contracts/index.js';
import { safetyConfigFromEnv } from '../functions/safety/config.js';
import { getSafetyEngine } from '../functions/safety/handler.js';
import { quantile, r1 } from './stats.js';

export interface SafetyBenchResult {
  photos: number;
  /** The shipped engine (agreement of two models). */
  msPerImageP50: number;
  msPerImageP95: number;
  msPerImageMean: number;
  /** MobileNetV2 alone, same photos, same run. */
  singleModelMsP50: number;
  singleModelMsMean: number;
  /** Share of photos where InceptionV3 ran (MobileNetV2 reported a label at or above the floor). */
  confirmedShare: number;
}

export async function benchSafety(opts: { photosDir: string; log?: (line: string) => void }): Promise<SafetyBenchResult> {
  const files = (await readdir(opts.photosDir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const photos = await Promise.all(files.map((f) => readFile(path.join(opts.photosDir, f))));
  const time = async (env: NodeJS.ProcessEnv) => {
    const engine = await getSafetyEngine(safetyConfigFromEnv(env));
    for (const p of photos.slice(0, 3)) await engine.detect({} as StagedImage, async () => p);
    const ms: number[] = [];
    let labelled = 0;
    for (const p of photos) {
      const t0 = performance.now();
      const labels = await engine.detect({} as StagedImage, async () => p);
      ms.push(performance.now() - t0);
      if (labels.length) labelled++;
    }
    return { ms, labelled };
  };
  const both = await time(process.env);
  const single = await time({ ...process.env, NSFW_CONFIRM_MODEL: 'none' });
  const mean = (xs: number[]) => r1(xs.reduce((a, b) => a + b, 0) / xs.length);
  const result = {
    photos: photos.length,
    msPerImageP50: r1(quantile(both.ms, 0.5)),
    msPerImageP95: r1(quantile(both.ms, 0.95)),
    msPerImageMean: mean(both.ms),
    singleModelMsP50: r1(quantile(single.ms, 0.5)),
    singleModelMsMean: mean(single.ms),
    // MobileNetV2 alone reports a label exactly where the agreement engine asks InceptionV3.
    confirmedShare: r1((single.labelled / photos.length) * 100) / 100,
  };
  opts.log?.(`safety: ${JSON.stringify(result)}`);
  return result;
}
