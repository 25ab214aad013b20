import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { getClassifier } from '../../functions/classify/handler.js';
import { openSession } from '../../functions/classify/session.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { ModelContractError } from '../../functions/shared/errors.js';
import { inProcessSessions, type SessionHost } from '../../functions/shared/models/onnx-session.js';
import { NsfwModel } from '../../functions/safety/nsfw-model.js';
import { NSFW_CONFIRM, nsfwModelPin, resolveNsfwModel } from '../../functions/safety/nsfw-store.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { workerSessions } from '../../workflows/local/worker-sessions.js';
import { mirrorDir, projectRoot, tempDir } from './fixtures.js';
import { photosDir } from '../workflow/fixtures.js';

const run = promisify(execFile);

describe('models/onnx sessions: in this thread (Lambda) and in a worker thread (local engine)', function () {
  this.timeout(300_000);
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let photos: Buffer[];
  before(async () => {
    cache = await tempDir('onnx-session-');
    const files = (await readdir(photosDir)).filter((f) => f.endsWith('.JPEG')).sort();
    // Every fifth photo: ten different images, both hosts see the same bytes.
    photos = await Promise.all(files.filter((_, i) => i % 5 === 0).map((f) => readFile(path.join(photosDir, f))));
  });
  after(() => cache.cleanup());

  const classifier = (host: SessionHost) =>
    getClassifier({
      store: { name: 'mobilenetv2-12-int8', cacheDir: cache.dir, mirrorDir, allowDownload: false },
      config: { threads: 1, maxPixels: 40e6 },
      host,
    });

  it('gives the classifier the same top-5 labels and scores in either host, one image or a batch', async () => {
    const [here, there] = await Promise.all([classifier(inProcessSessions), classifier(workerSessions)]);
    expect(here).to.not.equal(there);
    for (const bytes of photos) expect(await there.classify(bytes)).to.deep.equal(await here.classify(bytes));
    expect(await there.classifyBatch(photos.slice(0, 3))).to.deep.equal(await here.classifyBatch(photos.slice(0, 3)));
  });

  it('gives both nsfwjs models the same scores in either host, and runs concurrent requests in order', async () => {
    const cacheDir = modelStoreOptions({}, {}).cacheDir;
    for (const name of [undefined, NSFW_CONFIRM]) {
      const resolved = await resolveNsfwModel({ cacheDir, ...(name ? { model: name } : {}) });
      const size = nsfwModelPin(name ?? 'nsfwjs-mobilenet-v2').size;
      const [here, there] = await Promise.all([
        NsfwModel.create(resolved.modelPath, 1, size, inProcessSessions),
        NsfwModel.create(resolved.modelPath, 1, size, workerSessions),
      ]);
      const expected = [];
      for (const bytes of photos.slice(0, 4)) expected.push(await here.scores(bytes));
      // All four at once: the worker answers each request with its own result.
      expect(await Promise.all(photos.slice(0, 4).map((b) => there.scores(b)))).to.deep.equal(expected);
    }
  });

  it('keeps the error name and message of a failed run, and the session keeps working', async () => {
    const there = await classifier(workerSessions);
    const { session, inputName } = (there as unknown as { ms: { session: ort.InferenceSession; inputName: string } }).ms;
    const err = await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(3), [1, 3]) }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/dimension|shape|rank|Invalid/i);
    expect((await there.classify(photos[0]))[0].label).to.be.a('string');
  });

  it('turns a model file onnxruntime cannot load into ModelContractError, from the worker too', async () => {
    const junk = path.join(cache.dir, 'junk.onnx');
    await writeFile(junk, 'not an onnx model');
    const raw = await workerSessions.open(junk, { threads: 1 }).catch((e: Error) => e);
    expect(raw)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/protobuf|parse|load model|failed/i);
    const named = await openSession(junk, catalogEntry('mobilenetv2-12-int8'), { threads: 1, host: workerSessions }).catch((e: Error) => e);
    expect(named).to.be.instanceOf(ModelContractError);
  });

  it('lets a process that used a worker session exit on its own (an idle worker holds nothing open), even one started with -e', async () => {
    const script = `
      import { workerSessions } from './workflows/local/worker-sessions.ts';
      import { NsfwModel } from './functions/safety/nsfw-model.ts';
      import { resolveNsfwModel } from './functions/safety/nsfw-store.ts';
      import { modelStoreOptions } from './functions/shared/models/config.ts';
      import { readFileSync } from 'node:fs';
      const m = await resolveNsfwModel({ cacheDir: modelStoreOptions({}, {}).cacheDir });
      const model = await NsfwModel.create(m.modelPath, 1, 224, workerSessions);
      const s = await model.scores(readFileSync(${JSON.stringify(path.join(photosDir, 'n02391049_zebra.JPEG'))}));
      console.log('neutral', s.Neutral > 0.5);
    `;
    // A hung process is killed at 60 s and fails the test (it would hang `npm start` the same way).
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, timeout: 60_000 });
    expect(stdout.trim()).to.equal('neutral true');
  });
});
