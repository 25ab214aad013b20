/**
 * Relevance benchmark: scoring one (image, post) pair from stored labels, and ranking 20 already-moderated
 * candidates end to end in the publisher client (store reads by sha256 from a real SQLite store, scoring,
 * ordering). The 20 photos are moderated first with the real local workflow (not timed); then no model runs.
 * - indexBuildMs: decoding the committed WordNet index on first use (once per process).
 * - pairP50Ms / pairCpuMs: one scoreRelevance call, warm (wall p50, and CPU time per call over all pairs).
 * - rank20P50Ms: client.rankImages(post, 20 sha256s), warm.
 * Runs alone with `tsx bench/relevance.ts [--json]`, and as the `relevance` section of `npm run bench`.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModerationClient } from '../client/index.js';
import type { Verdict } from '../functions/shared/contracts/index.js';
import { sharedDir } from '../functions/shared/project.js';
import { relevanceIndex } from '../functions/shared/relevance/index-data.js';
import { scoreRelevance } from '../functions/shared/relevance/score.js';
import { SqliteVerdictStore } from '../functions/shared/verdict-store/sqlite.js';
import { createLocalWorkflow } from '../workflows/local/workflow.js';
import { quantile, r1 } from './stats.js';

const POSTS = [
  'Restoring a wooden schooner plank by plank',
  'Tall ships of the Atlantic coast',
  'A week learning to crew under canvas',
  'Autumn squash recipes for a cosy weekend',
  'Zebras crossing the Serengeti at dawn',
];

export interface RelevanceBenchResult {
  candidates: number;
  indexBuildMs: number;
  pairP50Ms: number;
  pairCpuMs: number;
  rank20P50Ms: number;
}

export async function benchRelevance(opts: { photosDir?: string; log?: (line: string) => void } = {}): Promise<RelevanceBenchResult> {
  const photosDir = opts.photosDir ?? path.join(sharedDir(), 'images/imagenet-sample');
  const files = (await readdir(photosDir))
    .filter((f) => f.endsWith('.JPEG'))
    .sort()
    .slice(0, 20);
  const tmp = await mkdtemp(path.join(tmpdir(), 'bench-relevance-'));
  try {
    const workflow = await createLocalWorkflow({ stagingDir: path.join(tmp, 'staging'), dataDir: path.join(tmp, 'data'), safetyEngine: 'local' });
    const verdicts: Verdict[] = [];
    for (const f of files) verdicts.push((await workflow.run({ imageUrl: path.join(photosDir, f) })).verdict);
    await workflow.close?.();

    const t0 = performance.now();
    const index = relevanceIndex();
    const indexBuildMs = performance.now() - t0;
    const pairs = POSTS.flatMap((title) => verdicts.map((v) => ({ labels: v.labels, post: { title } })));
    for (const p of pairs) scoreRelevance(p.labels, p.post, index); // warm
    const pairTimes: number[] = [];
    const cpu = process.cpuUsage();
    for (let round = 0; round < 5; round++)
      for (const p of pairs) {
        const s = performance.now();
        scoreRelevance(p.labels, p.post, index);
        pairTimes.push(performance.now() - s);
      }
    const used = process.cpuUsage(cpu);
    const pairCpuMs = (used.user + used.system) / 1000 / pairTimes.length;

    const store = await SqliteVerdictStore.open(path.join(tmp, 'data'));
    try {
      const client = new ModerationClient({ stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench', verdicts: store });
      const candidates = verdicts.map((v) => ({ sha256: v.image!.sha256 }));
      const rankTimes: number[] = [];
      for (let round = 0; round < 3 + POSTS.length * 4; round++) {
        const s = performance.now();
        await client.rankImages({ title: POSTS[round % POSTS.length] }, candidates);
        if (round >= 3) rankTimes.push(performance.now() - s);
      }
      const result = {
        candidates: candidates.length,
        indexBuildMs: r1(indexBuildMs),
        pairP50Ms: Math.round(quantile(pairTimes, 0.5) * 1000) / 1000,
        pairCpuMs: Math.round(pairCpuMs * 1000) / 1000,
        rank20P50Ms: r1(quantile(rankTimes, 0.5)),
      };
      opts.log?.(
        `relevance: pair p50 ${result.pairP50Ms} ms (${result.pairCpuMs} ms CPU); rank 20 candidates p50 ${result.rank20P50Ms} ms; index build ${result.indexBuildMs} ms`,
      );
      return result;
    } finally {
      await store.close();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const json = process.argv.includes('--json');
  const r = await benchRelevance({ log: json ? undefined : (l) => console.error(l) });
  console.log(JSON.stringify(r, null, json ? 0 : 2));
}
