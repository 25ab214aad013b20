import { expect } from 'chai';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ModelIntegrityError, ModelNotFoundError } from '../../functions/shared/errors.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { loadLabels } from '../../functions/shared/models/labels.js';
import { resolveModel } from '../../functions/shared/models/store.js';
import { FAKE_LABELS, fakeManifest, listTree, mirrorDir, serveFiles, sha256Of, tempDir, type LoopbackServer } from './fixtures.js';

async function expectReject<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name}, but it resolved`);
}

describe('models: store with the real mirror', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (tmp = await tempDir('real')));
  afterEach(() => tmp.cleanup());

  it('copies mobilenetv2-12-int8 from the mirror into the content-addressed cache, then hits the cache', async () => {
    const cacheDir = path.join(tmp.dir, 'cache');
    const first = await resolveModel({ name: 'mobilenetv2-12-int8', cacheDir, mirrorDir, allowDownload: false });
    const sha = catalogEntry('mobilenetv2-12-int8').sha256;
    expect(first.source).to.equal('mirror');
    expect(first.sha256).to.equal(sha);
    expect(first.modelPath).to.equal(path.join(cacheDir, 'mobilenetv2-12-int8', `${sha}.onnx`));
    expect(sha256Of(await readFile(first.modelPath))).to.equal(sha);
    expect(first.synsetPath).to.equal(undefined);
    expect((await loadLabels(first))[0]).to.deep.include({ label: 'tench', wnid: 'n01440764' });

    const again = await resolveModel({ name: 'mobilenetv2-12-int8', cacheDir, mirrorDir, allowDownload: false });
    expect(again.source).to.equal('cache');
    expect(await listTree(cacheDir)).to.deep.equal([
      'labels/acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355.txt',
      `mobilenetv2-12-int8/${sha}.onnx`,
    ]);
  });

  it('mobilenet-v2-int8 (names-only labels) gets the synset list from the mirror by content', async () => {
    const r = await resolveModel({ name: 'mobilenet-v2-int8', cacheDir: tmp.dir, mirrorDir, allowDownload: false });
    expect(r.synsetPath).to.equal(path.join(tmp.dir, 'labels', 'acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355.txt'));
    const labels = await loadLabels(r);
    expect(labels[0]).to.equal(null);
    expect(labels[1]).to.deep.include({ label: 'tench', wnid: 'n01440764' });
  });

  it('accepts an explicit path to a mirror model (its manifest.json beside it) and uses it in place', async () => {
    const modelPath = path.join(mirrorDir, 'mobilenet-v2-int8', 'model.onnx');
    const r = await resolveModel({ path: modelPath, cacheDir: tmp.dir, mirrorDir });
    expect(r).to.deep.include({ source: 'path', modelPath, labelsPath: path.join(mirrorDir, 'mobilenet-v2-int8', 'labels.txt') });
    expect(r.manifest.output.kind).to.equal('probabilities');
    expect((await loadLabels(r))[1]!.wnid).to.equal('n01440764');
  });

  it('the deployed ResNet (not in the mirror, downloads off) fails with an actionable ModelNotFoundError', async () => {
    const err = await expectReject(resolveModel({ name: 'resnet50-v1-12-int8', cacheDir: tmp.dir, mirrorDir, allowDownload: false }), ModelNotFoundError);
    expect(err.message)
      .to.match(/resnet50-v1-12-int8/)
      .and.match(/MODEL_MIRROR=\.\.\/shared\/models/)
      .and.match(/MODEL_PATH=/);
    expect(err.message).to.match(/downloads disabled/);
    expect(await listTree(tmp.dir)).to.deep.equal([]);
  });
});

describe('models: resolution order and integrity (fake models, real files, loopback HTTP)', () => {
  const model = Buffer.from('fake onnx bytes for the resolution-order test\n'.repeat(100));
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let server: LoopbackServer;
  let cacheDir: string;
  let mirror: string;
  const name = 'fake-model';
  const manifest = () => fakeManifest(name, model, { url: `${server.url}/m.onnx`, labelsUrl: `${server.url}/labels.txt` });

  beforeEach(async () => {
    tmp = await tempDir('order');
    cacheDir = path.join(tmp.dir, 'cache');
    mirror = path.join(tmp.dir, 'mirror');
    server = await serveFiles({ '/m.onnx': { body: model }, '/labels.txt': { body: FAKE_LABELS } });
  });
  afterEach(async () => {
    await server.close();
    await tmp.cleanup();
  });

  async function putInMirror(bytes: Buffer = model): Promise<void> {
    await mkdir(path.join(mirror, name), { recursive: true });
    await writeFile(path.join(mirror, name, 'model.onnx'), bytes);
    await writeFile(path.join(mirror, name, 'labels.txt'), FAKE_LABELS);
  }

  it('downloads from the public URL when nothing else has it', async () => {
    const r = await resolveModel({ name, cacheDir, catalog: [manifest()] });
    expect(r.source).to.equal('url');
    expect(server.hits.get('/m.onnx')).to.equal(1);
    expect(await readFile(r.modelPath)).to.deep.equal(model);
    expect(await loadLabels(r)).to.deep.equal([
      { label: 'first', wnid: 'n00000001', synonyms: ['one'] },
      { label: 'second', wnid: 'n00000002', synonyms: [] },
    ]);
  });

  it('mirror beats URL', async () => {
    await putInMirror();
    const r = await resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()] });
    expect(r.source).to.equal('mirror');
    expect(server.hits.size).to.equal(0);
  });

  it('cache beats mirror', async () => {
    await putInMirror();
    await mkdir(path.join(cacheDir, name), { recursive: true });
    await writeFile(path.join(cacheDir, name, `${sha256Of(model)}.onnx`), model);
    const r = await resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()] });
    expect(r.source).to.equal('cache');
  });

  it('explicit path beats cache', async () => {
    await putInMirror();
    await resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()] });
    const own = path.join(tmp.dir, 'own', 'm.onnx');
    await mkdir(path.dirname(own), { recursive: true });
    await writeFile(own, model);
    const r = await resolveModel({ name, path: own, cacheDir, mirrorDir: mirror, catalog: [manifest()] });
    expect(r).to.deep.include({ source: 'path', modelPath: own });
  });

  it('a corrupt mirror file is a ModelIntegrityError and leaves nothing in the cache', async () => {
    const bad = Buffer.from(model);
    bad[10] ^= 0xff;
    await putInMirror(bad);
    const err = await expectReject(resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()] }), ModelIntegrityError);
    expect(err.message)
      .to.contain(`expected sha256 ${sha256Of(model)}`)
      .and.contain(sha256Of(bad))
      .and.contain('mirror');
    expect(await listTree(cacheDir)).to.deep.equal([]);
    expect(server.hits.size, 'a corrupt mirror is reported, not silently bypassed').to.equal(0);
  });

  it('a download with the wrong content is a ModelIntegrityError; no temp or lock file stays', async () => {
    const wrong = Buffer.alloc(model.length, 7);
    await server.close();
    server = await serveFiles({ '/m.onnx': { body: wrong }, '/labels.txt': { body: FAKE_LABELS } });
    const err = await expectReject(resolveModel({ name, cacheDir, catalog: [manifest()] }), ModelIntegrityError);
    expect(err.details).to.include({ expected: sha256Of(model), actual: `sha256 ${sha256Of(wrong)} (${wrong.length} bytes)` });
    expect(await listTree(cacheDir)).to.deep.equal([]);
  });

  it('a corrupt cache file is deleted and fetched again', async () => {
    await putInMirror();
    const cached = path.join(cacheDir, name, `${sha256Of(model)}.onnx`);
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, 'truncated');
    const r = await resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()] });
    expect(r.source).to.equal('mirror');
    expect(await readFile(cached)).to.deep.equal(model);
  });

  it('an explicit path with the wrong content is reported and left untouched', async () => {
    const own = path.join(tmp.dir, 'own.onnx');
    await writeFile(own, 'not the model');
    const err = await expectReject(resolveModel({ name, path: own, cacheDir, catalog: [manifest()] }), ModelIntegrityError);
    expect(err.message).to.contain(own).and.contain('MODEL_SHA256');
    expect(await readFile(own, 'utf8')).to.equal('not the model');
  });

  it('an unreachable URL and no mirror give a ModelNotFoundError listing what was tried', async () => {
    await server.close();
    const err = await expectReject(resolveModel({ name, cacheDir, catalog: [manifest()] }), ModelNotFoundError);
    expect(err.message)
      .to.contain(`${server.url}/m.onnx: Cannot download`)
      .and.contain('MODEL_MIRROR not set')
      .and.contain('MODEL_S3_URI not set')
      .and.contain('MODEL_MIRROR=../shared/models');
    expect(await listTree(cacheDir)).to.deep.equal([]);
  });

  it('a cache "directory" that cannot be one is a ConfigError naming MODEL_CACHE_DIR', async () => {
    await putInMirror();
    const notADir = path.join(tmp.dir, 'file');
    await writeFile(notADir, 'a file, not a directory');
    const err = await expectReject(resolveModel({ name, cacheDir: notADir, mirrorDir: mirror, catalog: [manifest()] }), ConfigError);
    expect(err.message).to.contain('MODEL_CACHE_DIR');
  });

  it('an unknown name lists the known models', async () => {
    const err = await expectReject(resolveModel({ name: 'nope', cacheDir, catalog: [manifest()] }), ModelNotFoundError);
    expect(err.message).to.contain('"nope"').and.contain('Known models: fake-model');
  });

  it('takes over a lock left by a dead process', async () => {
    await putInMirror();
    const cached = path.join(cacheDir, name, `${sha256Of(model)}.onnx`);
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(`${cached}.lock`, 'some host pid 999999 (dead)\n');
    const old = new Date(Date.now() - 10_000);
    await utimes(`${cached}.lock`, old, old);
    const r = await resolveModel({ name, cacheDir, mirrorDir: mirror, catalog: [manifest()], lockStaleMs: 1000, lockPollMs: 20 });
    expect(r.source).to.equal('mirror');
    expect(await listTree(path.dirname(cached))).to.deep.equal([path.basename(cached)]);
  });
});
