/**
 * The code that ships, run as it ships: the container image's three bundles and the aggregate zip
 * bundle, built with the options the Dockerfile and the Pulumi program use (infra/build/lambda-bundles.ts),
 * each invoked in a fresh Node process with Lambda-style environment variables. One photo goes through
 * all four over real HTTP on loopback, and each bundle reports our named errors under their real names.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClassifyOutput, FetchImageOutput, SafetyOutput, Verdict } from '../../functions/shared/contracts/index.js';
import { NSFW_CONFIRM, resolveNsfwModel } from '../../functions/safety/nsfw-store.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { buildImageBundles, buildZipBundleSync, type IMAGE_ENTRIES } from '../../infra/build/lambda-bundles.js';
import { mirrorDir } from '../models/fixtures.js';
import { projectRoot, startFixtureServer, type FixtureServer } from '../workflow/fixtures.js';

type Outcome<T> = ({ ok: true; result: T } | { ok: false; errorType: string; errorMessage: string }) & { logs?: Array<Record<string, unknown>> };

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
    const confirm = await resolveNsfwModel({ cacheDir: modelStoreOptions({}, {}).cacheDir, model: NSFW_CONFIRM });
    env = {
      PATH: process.env.PATH,
      STAGING_DIR: path.join(work, 'staging'),
      MODEL_CACHE_DIR: path.join(work, 'models'),
      MODEL_MIRROR: mirrorDir,
      MODEL_NAME: 'mobilenet-v2-int8',
      MODEL_ALLOW_DOWNLOAD: 'false',
      NSFW_MODEL_PATH: nsfw.modelPath,
      NSFW_CONFIRM_MODEL_PATH: confirm.modelPath,
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
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(projectRoot, 'test/infra/invoke-bundle.mjs'), bundles[name], JSON.stringify(event)],
      {
        env: { ...env, ...extraEnv },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    // The result line is the invoker's; the rest is what the function wrote: Powertools JSON logs and EMF
    // blobs (a model still loading after a failed invocation may log after the result).
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.find((l) => 'ok' in l) as Outcome<T>;
    return { ...result, logs: lines.filter((l) => !('ok' in l)) };
  }

  function ok<T>(outcome: Outcome<T>): T {
    if (!outcome.ok) expect.fail(`${outcome.errorType}: ${outcome.errorMessage}`);
    return outcome.result;
  }

  it('logs through the one entry wrapper: correlation keys, EMF metrics, no query strings, no bytes', async () => {
    const secret = 'X-Amz-Signature=0123456789abcdef';
    const input = { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG?${secret}`, postId: 'post-42' };
    // As the Lambda runtime sets them (tracing on: the X-Ray SDK is loaded and must not break the bundle).
    const info = {
      LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'TestNamespace',
      POWERTOOLS_SERVICE_NAME: 'bundle-test',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: 'test-fn',
    };
    const fetched = await invoke<FetchImageOutput>('fetch-image', { input, executionName: 'post-42-abc' }, info);
    const image = ok(fetched).image;
    const text = JSON.stringify(fetched.logs);
    expect(text).not.to.contain(secret);
    const done = fetched.logs!.find((l) => l.message === 'FetchImage done')!;
    expect(done, text).to.include({
      execution: 'post-42-abc',
      post_id: 'post-42',
      image_sha256: image.sha256,
      step: 'FetchImage',
      service: 'bundle-test',
      level: 'INFO',
    });
    const fetchedLine = fetched.logs!.find((l) => l.message === 'image fetched')!;
    expect(fetchedLine.imageUrl).to.equal(`${server.origin}/photo/n02391049_zebra.JPEG?…`);
    const emf = fetched.logs!.filter((l) => l._aws !== undefined);
    const names = emf.flatMap((l) =>
      (l._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics.flatMap((m) =>
        m.Metrics.map((x) => `${m.Namespace}/${x.Name}`),
      ),
    );
    expect(names).to.include.members(['TestNamespace/ColdStart', 'TestNamespace/FetchBytes', 'TestNamespace/FetchLatency', 'TestNamespace/StepDuration']);
    expect(emf.find((l) => 'FetchBytes' in l)!.FetchBytes).to.equal(image.bytes);

    const verdict = await invoke<Verdict>(
      'aggregate',
      {
        input,
        image,
        executionName: 'post-42-abc',
        classification: { labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.9 }], model: { name: 'm', sha256: 'x' } },
        safety: { engine: 'local', labels: [] },
      },
      info,
    );
    expect(ok(verdict).decision).to.equal('review');
    const reasons = verdict.logs!.find((l) => 'DecisionReasons' in l)!;
    expect(reasons).to.include({ decision: 'review', category: 'Alcohol', source: 'classifier', DecisionReasons: 1 });
    expect(verdict.logs!.find((l) => 'Decisions' in l)).to.include({ decision: 'review', Decisions: 1 });

    // The views the step reads (here the original itself) point at a key that is gone.
    const gone = { ...image, key: 'staging/nope.jpeg', checks: image.checks?.map((c) => ({ ...c, key: 'staging/nope.jpeg' })) };
    const failed = await invoke('classify', { image: gone, executionName: 'post-42-abc' }, info);
    expect(failed.ok).to.equal(false);
    const warn = failed.logs!.find((l) => l.level === 'WARN')!;
    expect(warn, JSON.stringify(failed.logs)).to.include({ step: 'ClassifyImage', errorName: 'StagedImageMissing', execution: 'post-42-abc' });
    expect(failed.logs!.find((l) => 'StepErrors' in l)).to.include({ step: 'ClassifyImage', error: 'StagedImageMissing' });
  });

  it('moderates a photo fetched over loopback HTTP: fetch-image → classify + safety → aggregate', async () => {
    const input = { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG`, postId: 'bundle-smoke' };
    const fetched = ok(await invoke<FetchImageOutput>('fetch-image', { input }));
    expect(fetched.image.format).to.equal('jpeg');
    const [classification, safety] = await Promise.all([
      invoke<ClassifyOutput>('classify', { image: fetched.image }).then(ok),
      invoke<SafetyOutput>('safety', { image: fetched.image }).then(ok),
    ]);
    expect(classification.labels[0].wnid).to.equal('n02391049');
    expect(classification.model.name).to.equal('mobilenet-v2-int8');
    expect(safety.engine).to.equal('local');
    const verdict = ok(await invoke<Verdict>('aggregate', { input, image: fetched.image, classification, safety }));
    expect(verdict.decision, JSON.stringify(verdict.reasons)).to.equal('approve');
    expect(verdict.seoTags).to.include('zebra');

    // The verdict step's zip (on the SQLite store here: DynamoDB needs AWS) records it and answers the next lookup.
    const store = { MODERATION_DATA_DIR: path.join(work, 'data') };
    const recorded = ok(await invoke<Verdict>('verdicts', { action: 'record', ruleset: 'smoke', verdict, input }, store));
    expect(recorded).to.include({ decision: 'approve', decidedBy: 'policy' });
    const lookup = ok(
      await invoke<{ found: boolean; verdict: Verdict }>(
        'verdicts',
        { action: 'lookup', ruleset: 'smoke', image: fetched.image, input: { ...input, postId: 'again' } },
        store,
      ),
    );
    expect(lookup.found).to.equal(true);
    expect(lookup.verdict).to.include({ decision: 'approve', decidedBy: 'policy', postId: 'again' });
  });

  it('never writes a task token: the verdicts bundle at DEBUG, asked to wait for a review and given a bad token', async () => {
    // Shaped like Step Functions' tokens (opaque base64 of several hundred characters); unique per run.
    const token = (crypto.randomUUID() + 'AAAAQKeyTaskTokenForAReviewThatWaits/+=').repeat(12);
    const slices = [token, token.slice(0, 48), token.slice(-48)];
    const debug = { LOG_LEVEL: 'DEBUG', POWERTOOLS_SERVICE_NAME: 'bundle-test', MODERATION_DATA_DIR: path.join(work, 'tokens') };
    const fetched = ok(await invoke<FetchImageOutput>('fetch-image', { input: { imageUrl: `${server.origin}/photo/n02823428_beer_bottle.JPEG` } }));
    const input = { imageUrl: `${server.origin}/photo/n02823428_beer_bottle.JPEG`, postId: 'token-post' };
    const verdict = ok(
      await invoke<Verdict>('aggregate', {
        input,
        image: fetched.image,
        classification: { labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.9 }], model: { name: 'm', sha256: 'x' } },
        safety: { engine: 'local', labels: [] },
      }),
    );
    expect(verdict.decision).to.equal('review');
    const event = { action: 'requestReview', ruleset: 'tokens', verdict, input, timeoutSeconds: 3600, executionName: 'token-exec', taskToken: token };
    const waiting = await invoke<Verdict>('verdicts', event, debug);
    expect(ok(waiting).reviewId).to.be.a('string');
    // Step Functions' maximum is 2,048 characters: a longer one is refused by name, and not echoed.
    const tooLong = await invoke('verdicts', { ...event, taskToken: token.repeat(3).slice(0, 2049) }, debug);
    expect(tooLong).to.deep.include({ ok: false, errorType: 'InvalidInput' });
    for (const outcome of [waiting, tooLong]) {
      expect(outcome.logs, 'the bundle logged nothing at DEBUG').not.to.be.empty;
      // The function's log lines, its answer (the TaskSubmitted output) and the error the runtime would log.
      const written = JSON.stringify(outcome);
      for (const s of slices) expect(written).not.to.contain(s);
    }
  });

  it('reports our named errors under their real names (what Retry and Catch match), minified or not', async () => {
    const blocked = await invoke('fetch-image', { input: { imageUrl: 'http://169.254.169.254/latest/meta-data/' }, executionName: 'bundle-test' });
    expect(blocked).to.deep.include({ ok: false, errorType: 'FetchBlocked' });
    for (const name of ['classify', 'safety', 'aggregate', 'verdicts'] as const) {
      const bad = await invoke(name, { image: { uri: 'nope' } });
      expect(bad, name).to.deep.include({ ok: false, errorType: 'InvalidInput' });
    }
  });

  it('fails with a named error, not a crash, when the model is nowhere (image defaults: no download)', async () => {
    const fetched = ok(await invoke<FetchImageOutput>('fetch-image', { input: { imageUrl: `${server.origin}/photo/n01440764_tench.JPEG` } }));
    const missing = await invoke('classify', { image: fetched.image }, { MODEL_MIRROR: '', MODEL_CACHE_DIR: path.join(work, 'empty-cache') });
    expect(missing).to.deep.include({ ok: false, errorType: 'ModelNotFoundError' });
  });
});
