/**
 * The quality measures' own cost per image: measureQuality (and the header's quantisation tables) on the
 * quality view of each sample photo, warm, the view decoded beforehand because FetchImage's one decode
 * already pays for it. Medians and p95 over every photo and repeat; the workflow profile's FetchImage
 * 'quality' phase is the same work inside the real step.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { decodeView } from '../functions/shared/pixels/view.js';
import { readQuantTables } from '../functions/shared/quality/jpeg-quality.js';
import { measureQuality } from '../functions/shared/quality/measure.js';
import { quantile, r1 } from './stats.js';

export interface QualityBenchResult {
  photos: number;
  msPerImageP50: number;
  msPerImageP95: number;
  /** CPU time per image (process.cpuUsage): what the measures cost when the machine is shared, p50. */
  cpuMsPerImageP50: number;
  /** The budget for quality on top of the workflow. */
  budgetMs: 3;
}

export async function benchQuality(opts: { photosDir: string; log?: (line: string) => void; repeats?: number }): Promise<QualityBenchResult> {
  const files = (await readdir(opts.photosDir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const inputs = await Promise.all(
    files.map(async (f) => {
      const bytes = await readFile(path.join(opts.photosDir, f));
      const meta = await sharp(bytes).metadata();
      return { bytes, view: await decodeView(bytes, DEFAULT_LIMITS), original: { width: meta.width, height: meta.height, format: meta.format } };
    }),
  );
  const once = (i: (typeof inputs)[number]) => measureQuality(i.view, i.original, readQuantTables(i.bytes));
  for (const i of inputs.slice(0, 5)) once(i);
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < (opts.repeats ?? 3); r++) {
    for (const i of inputs) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      once(i);
      ms.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const result: QualityBenchResult = {
    photos: inputs.length,
    msPerImageP50: r1(quantile(ms, 0.5)),
    msPerImageP95: r1(quantile(ms, 0.95)),
    cpuMsPerImageP50: r1(quantile(cpu, 0.5)),
    budgetMs: 3,
  };
  opts.log?.(`quality: ${JSON.stringify(result)}`);
  return result;
}
