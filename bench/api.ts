/**
 * The local HTTP API's cost over the CLI's, per image: one LocalWorkflow (models loaded once) moderates
 * each photo both ways, in ABBA order so drift and load hit both alike: as `npm start` does (the
 * recorded run and its JSON record) and as `npm run serve` does (the bytes POSTed over loopback HTTP with
 * the token, staged by the upload route, answered as JSON). Both re-moderate, so neither takes the
 * verdict store's known-image path. `addedP50Ms` is the median of the per-photo differences (target <= 5).
 * Runs alone with `tsx bench/api.ts [--json]`, and as the `api` section of `npm run bench`.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startApi } from '../api/main.js';
import { sharedDir } from '../functions/shared/project.js';
import { ExecutionLog, recording } from '../workflows/local/execution-log.js';
import { createLocalWorkflow } from '../workflows/local/workflow.js';
import { toJsonRecord } from '../cli/report.js';
import { median, quantile, r1 } from './stats.js';

export interface ApiBenchResult {
  photos: number;
  cliP50Ms: number;
  apiP50Ms: number;
  /** Median over photos of (API − CLI) for the same photo. */
  addedP50Ms: number;
  addedP90Ms: number;
}

export async function benchApi(opts: { photosDir?: string; photos?: number; model?: string; log?: (line: string) => void } = {}): Promise<ApiBenchResult> {
  const log = opts.log ?? (() => {});
  const photosDir = opts.photosDir ?? path.join(sharedDir(), 'images/imagenet-sample');
  const files = (await readdir(photosDir))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, opts.photos ?? 40);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-api-'));
  const workflow = await createLocalWorkflow({
    stagingDir: path.join(dir, 'staging'),
    dataDir: path.join(dir, 'data'),
    safetyEngine: 'local',
    model: opts.model,
  });
  const cli = recording(workflow, await new ExecutionLog(path.join(dir, 'data')).open());
  // The server shares the workflow; it is closed once, here.
  const api = await startApi(
    { port: 0, host: '127.0.0.1', safetyEngine: 'local', stagingDir: path.join(dir, 'staging'), dataDir: path.join(dir, 'data'), model: opts.model },
    process.env,
    () => Promise.resolve({ ...workflow, close: async () => {} }),
  );
  const viaCli = async (file: string) => {
    const t0 = performance.now();
    const execution = await cli.run({ imageUrl: file, reModerate: true });
    JSON.stringify(toJsonRecord({ input: file, execution }));
    return performance.now() - t0;
  };
  const viaApi = async (bytes: Buffer) => {
    const t0 = performance.now();
    const res = await fetch(`${api.baseUrl}/moderations?reModerate=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'image/jpeg' },
      body: bytes,
    });
    if (res.status !== 200) throw new Error(`POST /moderations answered ${res.status}: ${await res.text()}`);
    await res.json();
    return performance.now() - t0;
  };
  try {
    const first = path.join(photosDir, files[0]);
    for (let i = 0; i < 3; i++) {
      await viaCli(first);
      await viaApi(await readFile(first));
    }
    const cliMs: number[] = [];
    const apiMs: number[] = [];
    const added: number[] = [];
    for (const [i, f] of files.entries()) {
      const file = path.join(photosDir, f);
      const bytes = await readFile(file);
      let c: number;
      let d: number;
      if (i % 2 === 0) {
        c = await viaCli(file);
        d = await viaApi(bytes);
      } else {
        d = await viaApi(bytes);
        c = await viaCli(file);
      }
      cliMs.push(c);
      apiMs.push(d);
      added.push(d - c);
    }
    const result = {
      photos: files.length,
      cliP50Ms: r1(median(cliMs)),
      apiP50Ms: r1(median(apiMs)),
      addedP50Ms: r1(median(added)),
      addedP90Ms: r1(quantile(added, 0.9)),
    };
    log(
      `api: ${result.photos} photos, CLI p50 ${result.cliP50Ms} ms, API p50 ${result.apiP50Ms} ms, added p50 ${result.addedP50Ms} ms (p90 ${result.addedP90Ms})`,
    );
    return result;
  } finally {
    await api.close();
    await workflow.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const json = process.argv.includes('--json');
  const result = await benchApi({ log: json ? undefined : (l) => console.error(l) });
  console.log(JSON.stringify(result, null, json ? undefined : 2));
}
