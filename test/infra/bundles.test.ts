/**
 * The code that ships, run as it ships: the container image's three bundles and the aggregate zip
 * bundle, built with the options the Dockerfile and the Pulumi program use (infra/lambda-bundles.ts),
 * each invoked in a fresh Node process with Lambda-style environment variables. One photo goes through
 * all four over real HTTP on loopback, and each bundle reports our named errors under their real names.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClassifyOutput, FetchImageOutput, SafetyOutput, Verdict } from '../../functions/shared/contracts.js';
import { resolveNsfwModel } from '../../functions/safety/nsfw-store.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { buildImageBundles, buildZipBundleSync, IMAGE_ENTRIES } from '../../infra/lambda-bundles.js';
import { mirrorDir } from '../models/fixtures.js';
import { projectRoot, startFixtureServer, type FixtureServer } from '../workflow/fixtures.js';

type Outcome<T> = { ok: true; result: T } | { ok: false; errorType: string; errorMessage: string };

describe('Lambda bundles (built as shipped, run in fresh processes)', function () {
  this.timeout(180_000);
  let work: string;
  let bundles: Record<(typeof IMAGE_ENTRIES)[number] | 'aggregate' | 'verdicts', string>;
  let server: FixtureServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // Inside the repository, so the bundles find sharp and onnxruntime-node in node_modules as they do in the image.
    await mkdir(path.join(projectRoot, '.cache'), { recursive: true });
    work = await mkdtemp(path.join(projectRoot, '.cache', 'bundle-test-'));
    bundles = {
      ...(await buildImageBundles(path.join(work, 'dist'))),
      aggregate: buildZipBundleSync('aggregate', path.join(work, 'dist', 'aggregate.mjs')),
      verdicts: buildZipBundleSync('verdicts', path.join(work, 'dist', 'verdicts.mjs')),
    };
    server = await startFixtureServer();
    // The converted safety model, as the stack uploads it; the bundle itself may not convert (as in the image).
    const nsfw = await resolveNsfwModel({ cacheDir: modelStoreOptions({}, {}).cacheDir });
    env = {
      PATH: process.env.PATH,
      STAGING_DIR: path.join(work, 'staging'),
      MODEL_CACHE_DIR: path.join(work, 'models'),
      MODEL_MIRROR: mirrorDir,
      MODEL_NAME: 'mobilenet-v2-int8',
      MODEL_ALLOW_DOWNLOAD: 'false',
      NSFW_MODEL_PATH: nsfw.modelPath,
      NSFW_ALLOW_CONVERT: 'false',
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'WARN',
    };
  });
  after(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function invoke<T>(name: keyof typeof bundles, event: unknown, extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome<T>> {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(projectRoot, 'test/infra/invoke-bundle.mjs'), bundles[name], JSON.stringify(event)], {
      env: { ...env, ...extraEnv },
      maxBuffer: 16 * 1024 * 1024,
    });
    const last = stdout.trim().split('\n').pop()!;
    return JSON.parse(last) as Outcome<T>;
  }

  function ok<T>(outcome: Outcome<T>): T {
    if (!outcome.ok) expect.fail(`${outcome.errorType}: ${outcome.errorMessage}`);
    return outcome.result;
  }

  it('moderates a photo fetched over loopback HTTP: fetch-image → classify + safety → aggregate', async () => {
    const input = { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG`, postId: 'bundle-smoke' };
    const fetched = ok(await invoke<FetchImageOutput>('fetch-image', input));
    expect(fetched.image.format).to.equal('jpeg');
    const [classification, safety] = await Promise.all([
      invoke<ClassifyOutput>('classify', { image: fetched.image }).then(ok),
      invoke<SafetyOutput>('safety', { image: fetched.image }).then(ok),
    ]);
    expect(classification.labels[0]!.wnid).to.equal('n02391049');
    expect(classification.model.name).to.equal('mobilenet-v2-int8');
    expect(safety.engine).to.equal('local');
    const verdict = ok(await invoke<Verdict>('aggregate', { input, image: fetched.image, classification, safety }));
    expect(verdict.decision, JSON.stringify(verdict.reasons)).to.equal('approve');
    expect(verdict.seoTags).to.include('zebra');

    // The verdict step's zip (on the SQLite store here: DynamoDB needs AWS) records it and answers the next lookup.
    const store = { MODERATION_DATA_DIR: path.join(work, 'data') };
    const recorded = ok(await invoke<Verdict>('verdicts', { action: 'record', ruleset: 'smoke', verdict, input }, store));
    expect(recorded).to.include({ decision: 'approve', decidedBy: 'policy' });
    const lookup = ok(await invoke<{ found: boolean; verdict: Verdict }>('verdicts', { action: 'lookup', ruleset: 'smoke', image: fetched.image, input: { ...input, postId: 'again' } }, store));
    expect(lookup.found).to.equal(true);
    expect(lookup.verdict).to.include({ decision: 'approve', decidedBy: 'policy', postId: 'again' });
  });

  it('reports our named errors under their real names (what Retry and Catch match), minified or not', async () => {
    const blocked = await invoke('fetch-image', { imageUrl: 'http://169.254.169.254/latest/meta-data/' });
    expect(blocked).to.deep.include({ ok: false, errorType: 'FetchBlocked' });
    for (const name of ['classify', 'safety', 'aggregate', 'verdicts'] as const) {
      const bad = await invoke(name, { image: { uri: 'nope' } });
      expect(bad, name).to.deep.include({ ok: false, errorType: 'InvalidInput' });
    }
  });

  it('fails with a named error, not a crash, when the model is nowhere (image defaults: no download)', async () => {
    const fetched = ok(await invoke<FetchImageOutput>('fetch-image', { imageUrl: `${server.origin}/photo/n01440764_tench.JPEG` }));
    const missing = await invoke('classify', { image: fetched.image }, { MODEL_MIRROR: '', MODEL_CACHE_DIR: path.join(work, 'empty-cache') });
    expect(missing).to.deep.include({ ok: false, errorType: 'ModelNotFoundError' });
  });
});
