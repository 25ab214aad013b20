/**
 * The code that ships, run as Lambda runs it, without Docker: the container image's task root assembled
 * by the script the Dockerfile runs (infra/build/task-root.ts) in a directory outside the repository (so only
 * its own node_modules can resolve), and the aggregate zip's files as the Pulumi program packs them.
 * Each handler runs in a fresh Node 24 process (test/infra/lambda-runtime.mjs: cwd = task root,
 * _HANDLER = the image's CMD or the plan's imageConfig command / zip handler, the Dockerfile's ENV) with
 * real events: a real photo over loopback HTTP, the real model from the mirror, a local staging
 * directory, EFS simulated by a cache directory. A task root missing a bundle, a native module or a
 * library the handlers load must fail here, and does (last tests).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClassifyOutput, FetchImageOutput, SafetyOutput, Verdict } from '../../functions/shared/contracts/index.js';
import { NSFW_CONFIRM, resolveNsfwModel } from '../../functions/safety/nsfw-store.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { bundleFunction } from '../../infra/build/bundle.js';
import { readImageSpec } from '../../infra/build/dockerfile.js';
import { planStack, readStackYaml } from '../../infra/plan/plan-stack.js';
import { buildTaskRoot, imageArch, verifyTaskRoot, type TaskRoot } from '../../infra/build/task-root.js';
import { mirrorDir } from '../models/fixtures.js';
import { projectRoot, startFixtureServer, type FixtureServer } from '../workflow/fixtures.js';

type Outcome<T> = { ok: true; result: T } | { ok: false; errorType: string; errorMessage: string };
const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

describe('Lambda task roots (image and zip) invoked as the Node 24 runtime does', function () {
  this.timeout(300_000);
  let work: string;
  let root: TaskRoot;
  /** Each zip function's files, as the Pulumi program packs them, by function (aggregate, verdicts). */
  const zipRoots: Record<string, string> = {};
  let server: FixtureServer;
  let baseEnv: NodeJS.ProcessEnv;
  /** Handler strings and runtimes from the plan: what the functions are deployed with. */
  const deployed: Record<string, { handler: string; runtime?: string }> = {};

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'task-root-test-'));
    const plan = await planStack({ ...readStackYaml('dev'), safetyEngine: 'local' }, 'test-task-root');
    for (const fn of plan.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
      const short = String(fn.inputs.name).replace(/^.*-test-task-root-/, '');
      const imageConfig = fn.inputs.imageConfig as { commands: string[] } | undefined;
      deployed[short] = imageConfig ? { handler: imageConfig.commands[0] } : { handler: String(fn.inputs.handler), runtime: String(fn.inputs.runtime) };
    }
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    root = await buildTaskRoot({ outDir: path.join(work, 'image-task-root'), arch: imageArch(process.arch), nodeMajor });
    // Each zip as Pulumi packs it: every archive entry written into the function's own task root.
    for (const name of Object.keys(deployed).filter((n) => deployed[n].runtime)) {
      const dir = path.join(work, `${name}-zip-task-root`);
      await mkdir(dir);
      const assets = await bundleFunction(name, nodeMajor).assets;
      for (const [file, asset] of Object.entries(assets)) await cp(await (asset as unknown as { path: Promise<string> }).path, path.join(dir, file));
      zipRoots[name] = dir;
    }
    server = await startFixtureServer();
    const nsfw = await resolveNsfwModel({ cacheDir: modelStoreOptions({}, {}).cacheDir });
    const confirm = await resolveNsfwModel({ cacheDir: modelStoreOptions({}, {}).cacheDir, model: NSFW_CONFIRM });
    baseEnv = {
      // The Dockerfile's ENV first (MODEL_ALLOW_DOWNLOAD=false, NSFW_ALLOW_CONVERT=false, ...), then what differs here.
      ...readImageSpec().env,
      PATH: '/usr/bin:/bin',
      HOME: work,
      TZ: ':UTC',
      AWS_REGION: 'us-east-1',
      STAGING_DIR: path.join(work, 'staging'),
      MODEL_CACHE_DIR: path.join(work, 'efs'),
      MODEL_MIRROR: mirrorDir,
      MODEL_NAME: 'mobilenet-v2-int8',
      NSFW_MODEL_PATH: nsfw.modelPath,
      NSFW_CONFIRM_MODEL_PATH: confirm.modelPath,
      SAFETY_ENGINE: 'local',
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'WARN',
    };
  });
  after(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function invoke<T>(taskRoot: string, handler: string, event: unknown, extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome<T>> {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(projectRoot, 'test/infra/lambda-runtime.mjs'), JSON.stringify(event)], {
      cwd: taskRoot,
      env: { ...baseEnv, LAMBDA_TASK_ROOT: taskRoot, _HANDLER: handler, AWS_LAMBDA_FUNCTION_NAME: handler.split('.')[0], ...extraEnv },
      maxBuffer: 16 * 1024 * 1024,
    });
    // The runtime's outcome line among the function's own JSON logs (Powertools, EMF).
    return stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Outcome<T>)
      .find((l) => 'ok' in l)!;
  }
  const image = <T>(fn: string, event: unknown, extraEnv?: NodeJS.ProcessEnv) => invoke<T>(root.dir, deployed[fn].handler, event, extraEnv);
  const zip = <T>(fn: string, event: unknown, extraEnv?: NodeJS.ProcessEnv) => invoke<T>(zipRoots[fn], deployed[fn].handler, event, extraEnv);

  function ok<T>(outcome: Outcome<T>): T {
    if (!outcome.ok) expect.fail(`${outcome.errorType}: ${outcome.errorMessage}`);
    return outcome.result;
  }

  it('is lean: only linux/<arch> native files (sizes printed)', async () => {
    const { installed, lean } = root.nodeModulesBytes;
    console.log(`      task root ${root.arch}: node_modules ${MB(installed)} as npm ci leaves it → ${MB(lean)}; whole task root ${MB(root.bytes)}`);
    expect(lean).to.be.below(installed / 3);
    expect(await readdir(path.join(root.dir, 'node_modules/onnxruntime-node/bin/napi-v6'))).to.deep.equal(['linux']);
    expect(await readdir(path.join(root.dir, 'node_modules/onnxruntime-node/bin/napi-v6/linux'))).to.deep.equal([root.arch]);
    expect((await readdir(path.join(root.dir, 'node_modules/@img'))).filter((d) => d.startsWith('sharp-'))).to.have.members([
      `sharp-linux-${root.arch}`,
      `sharp-libvips-linux-${root.arch}`,
    ]);
  });

  it('runs every function under the Node of its runtime: the image CMD is classify.handler, the zips are nodejs24.x', () => {
    expect(readImageSpec().cmd).to.deep.equal([deployed.classify.handler]);
    expect(deployed['fetch-image'].handler).to.equal('fetch-image.handler');
    expect(deployed['check-safety'].handler).to.equal('safety.handler');
    expect(Object.keys(zipRoots)).to.include.members(['aggregate', 'verdicts']);
    for (const name of Object.keys(zipRoots))
      expect(deployed[name], name).to.deep.equal({ handler: 'index.handler', runtime: `nodejs${process.versions.node.split('.')[0]}.x` });
  });

  it('moderates a real photo: fetch-image → classify + safety (image) → aggregate → verdicts (zips), model cached on "EFS"', async () => {
    const input = { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG`, postId: 'task-root' };
    const fetched = ok(await image<FetchImageOutput>('fetch-image', { input }));
    expect(fetched.image).to.include({ format: 'jpeg' });
    const [classification, safety] = await Promise.all([
      image<ClassifyOutput>('classify', { image: fetched.image }).then(ok),
      image<SafetyOutput>('check-safety', { image: fetched.image }).then(ok),
    ]);
    expect(classification.labels[0].wnid).to.equal('n02391049');
    expect(safety.engine).to.equal('local');
    const verdict = ok(await zip<Verdict>('aggregate', { input, image: fetched.image, classification, safety }));
    expect(verdict.decision, JSON.stringify(verdict.reasons)).to.equal('approve');
    expect(verdict.seoTags).to.include('zebra');
    // The verdict step's zip (on the SQLite store here: DynamoDB needs AWS) records it and answers the next lookup.
    const store = { MODERATION_DATA_DIR: path.join(work, 'data') };
    expect(ok(await zip<Verdict>('verdicts', { action: 'record', ruleset: 'task-root', verdict, input }, store))).to.include({
      decision: 'approve',
      decidedBy: 'policy',
    });
    const lookup = ok(
      await zip<{ found: boolean; verdict: Verdict }>(
        'verdicts',
        { action: 'lookup', ruleset: 'task-root', image: fetched.image, input: { ...input, postId: 'again' } },
        store,
      ),
    );
    expect(lookup.found).to.equal(true);
    expect(lookup.verdict).to.include({ decision: 'approve', decidedBy: 'policy', postId: 'again' });
    // A later cold start finds the model on "EFS" without its source (in AWS: S3).
    const again = ok(await image<ClassifyOutput>('classify', { image: fetched.image }, { MODEL_MIRROR: '' }));
    expect(again.labels[0].wnid).to.equal('n02391049');
  });

  it('reports our named errors under their real names (what Retry and Catch match)', async () => {
    expect(await image('fetch-image', { input: { imageUrl: 'http://169.254.169.254/latest/meta-data/' } })).to.deep.include({
      ok: false,
      errorType: 'FetchBlocked',
    });
    for (const fn of ['classify', 'check-safety'] as const)
      expect(await image(fn, { image: { uri: 'nope' } }), fn).to.deep.include({ ok: false, errorType: 'InvalidInput' });
    for (const fn of Object.keys(zipRoots)) expect(await zip(fn, { image: { uri: 'nope' } }), fn).to.deep.include({ ok: false, errorType: 'InvalidInput' });
  });

  it('fails with ModelNotFoundError, not a crash, when the model is nowhere (image defaults: no download)', async () => {
    const fetched = ok(await image<FetchImageOutput>('fetch-image', { input: { imageUrl: `${server.origin}/photo/n01440764_tench.JPEG` } }));
    expect(await image('classify', { image: fetched.image }, { MODEL_MIRROR: '', MODEL_CACHE_DIR: path.join(work, 'empty-efs') })).to.deep.include({
      ok: false,
      errorType: 'ModelNotFoundError',
    });
  });

  it('fails when a bundle, a native module or a library the handlers load is missing', async () => {
    const broken = path.join(work, 'broken-task-root');
    await cp(root.dir, broken, { recursive: true, verbatimSymlinks: true });
    const fetched = ok(await image<FetchImageOutput>('fetch-image', { input: { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG` } }));
    await rm(path.join(broken, 'classify.mjs'));
    await rm(path.join(broken, `node_modules/onnxruntime-node/bin/napi-v6/linux/${root.arch}/libonnxruntime.so.1`));
    await rm(path.join(broken, `node_modules/@img/sharp-libvips-linux-${root.arch}`), { recursive: true });
    expect(await invoke(broken, 'classify.handler', { image: fetched.image })).to.deep.include({ ok: false, errorType: 'Runtime.ImportModuleError' });
    const safety = await invoke<SafetyOutput>(broken, 'safety.handler', { image: fetched.image });
    expect(safety.ok, JSON.stringify(safety)).to.equal(false);
    const fetch = await invoke(broken, 'fetch-image.handler', { input: { imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG` } });
    expect(fetch.ok, JSON.stringify(fetch)).to.equal(false);
    const problems = await verifyTaskRoot(broken, root.arch).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(problems).to.contain('classify.mjs is missing').and.contain('libonnxruntime').and.contain('sharp-libvips');
  });

  it('assembles an arm64 task root on this host with arm64 binaries only (checked by ELF header)', async () => {
    const arm = await buildTaskRoot({ outDir: path.join(work, 'arm64-task-root'), arch: 'arm64', nodeMajor: 24 });
    console.log(
      `      task root arm64: node_modules ${MB(arm.nodeModulesBytes.installed)} → ${MB(arm.nodeModulesBytes.lean)}; whole task root ${MB(arm.bytes)}`,
    );
    await verifyTaskRoot(arm.dir, 'arm64');
    expect(
      await verifyTaskRoot(arm.dir, 'x64').then(
        () => 'accepted',
        (e: Error) => e.message,
      ),
    ).to.match(/is missing|not a linux\/x64 ELF/);
  });
});
