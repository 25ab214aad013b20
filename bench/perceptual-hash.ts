/**
 * The perceptual hash's cost per image (issue budget: 1 ms): FetchImage's views of the sample photos,
 * each hashed many times; wall time per call (median, p90) and CPU time per call, since the machine is
 * shared and wall time includes waiting for a core.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { perceptualHashes } from '../functions/shared/perceptual-hash.js';
import { decodeView } from '../functions/shared/pixels/view.js';
import { quantile, r1 } from './stats.js';

export interface PerceptualHashBenchResult {
  images: number;
  /** The views' largest size (FetchImage's view fits inside 512 x 512). */
  viewPixels: number;
  p50Ms: number;
  p90Ms: number;
  cpuMsPerImage: number;
}

export async function benchPerceptualHash(opts: { photosDir: string; log: (line: string) => void; rounds?: number }): Promise<PerceptualHashBenchResult> {
  const files = readdirSync(opts.photosDir).filter((f) => /\.jpe?g$/i.test(f));
  const views = await Promise.all(files.map(async (f) => decodeView(readFileSync(path.join(opts.photosDir, f)), DEFAULT_LIMITS)));
  for (const v of views) perceptualHashes(v);
  const rounds = opts.rounds ?? 10;
  const wall: number[] = [];
  const cpu = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const v of views) {
      const t0 = performance.now();
      perceptualHashes(v);
      wall.push(performance.now() - t0);
    }
  }
  const used = process.cpuUsage(cpu);
  const result = {
    images: views.length,
    viewPixels: Math.max(...views.map((v) => v.width * v.height)),
    p50Ms: Math.round(quantile(wall, 0.5) * 1000) / 1000,
    p90Ms: Math.round(quantile(wall, 0.9) * 1000) / 1000,
    cpuMsPerImage: Math.round(((used.user + used.system) / 1000 / wall.length) * 1000) / 1000,
  };
  opts.log(
    `perceptual hash: p50 ${r1(result.p50Ms * 1000)} us, p90 ${r1(result.p90Ms * 1000)} us, CPU ${r1(result.cpuMsPerImage * 1000)} us per image (${views.length} views)`,
  );
  return result;
}
