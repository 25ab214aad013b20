import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCheckSafetyHandler, getSafetyEngine } from '../../functions/safety/handler.js';
import { agreedLabels, engineModelRef, LocalSafetyEngine, nsfwToLabels } from '../../functions/safety/local.js';
import { mirrored, NSFW_CLASSES, NsfwModel } from '../../functions/safety/nsfw-model.js';
import { NSFW_CONFIRM, NSFW_PIN, nsfwModelPin, resolveNsfwModel } from '../../functions/safety/nsfw-store.js';
import { safetyConfigFromEnv } from '../../functions/safety/config.js';
import type { StagedImage } from '../../functions/shared/contracts/index.js';
import { ConfigError, ModelIntegrityError, TRANSIENT_REKOGNITION_ERRORS } from '../../functions/shared/errors.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { LocalStagingStore } from '../../functions/shared/staging/index.js';
import { tempDir } from '../models/fixtures.js';
import { photo, sharedDir } from '../workflow/fixtures.js';
import { rekognitionOnStagedBytes } from '../../workflows/local/rekognition.js';

// The repository's cache: converted once per machine (npm pack + conversion, about a second), then reused.
const cacheDir = modelStoreOptions({}, {}).cacheDir;

describe('safety/local engine: two nsfwjs models must agree (InceptionV3 converted here too)', function () {
  this.timeout(600_000);
  const calibration = (f: string) => path.join(sharedDir, 'images/calibration', f);
  let engine: LocalSafetyEngine;
  let alone: LocalSafetyEngine;
  let inceptionPath: string;
  before(async () => {
    const [m, i] = await Promise.all([resolveNsfwModel({ cacheDir }), resolveNsfwModel({ cacheDir, model: NSFW_CONFIRM })]);
    inceptionPath = i.modelPath;
    const primary = await NsfwModel.create(m.modelPath, 2, 224);
    const confirm = await NsfwModel.create(i.modelPath, 2, nsfwModelPin(NSFW_CONFIRM).size);
    const ref = engineModelRef({ name: NSFW_PIN.name, sha256: m.sha256 }, { name: NSFW_CONFIRM, sha256: i.sha256 });
    engine = new LocalSafetyEngine({ primary, confirm }, ref, 50);
    alone = new LocalSafetyEngine({ primary }, { name: NSFW_PIN.name, sha256: m.sha256 }, 50);
  });
  const detect = (e: LocalSafetyEngine, file: string) => e.detect({} as StagedImage, () => readFile(file));
  const explicit = (labels: Awaited<ReturnType<typeof detect>>) => labels.find((l) => l.name === 'Explicit')?.confidence ?? 0;

  it('InceptionV3 (BatchNormalization without gamma, Activation, Max/AveragePooling "same", Concatenate) converts byte-for-byte to its pin', async () => {
    const bytes = await readFile(inceptionPath);
    const pin = nsfwModelPin(NSFW_CONFIRM);
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal(pin.onnx.sha256);
    expect(bytes.length).to.equal(pin.onnx.bytes);
  });

  it('a benign photo MobileNetV2 alone rejected as Explicit (a hand on a guitar, 84 %) is no longer even flagged', async () => {
    const file = calibration('n02676566_acoustic_guitar.JPEG');
    expect(explicit(await detect(alone, file))).to.be.at.least(80);
    expect(explicit(await detect(engine, file))).to.be.below(50);
  });

  it('the brassiere photo is still Swimwear or Underwear above the review band (70)', async () => {
    const labels = await detect(engine, calibration('n02892767_brassiere.JPEG'));
    console.log(`      brassiere: ${JSON.stringify(labels)}`);
    expect(labels.find((l) => l.name === 'Swimwear or Underwear')?.confidence).to.be.at.least(70);
  });

  it('agreement takes the lower confidence per label; mirroring twice gives the same pixels', () => {
    const a = { Drawing: 0, Hentai: 0.1, Neutral: 0.1, Porn: 0.7, Sexy: 0.1 };
    const b = { Drawing: 0, Hentai: 0.0, Neutral: 0.4, Porn: 0.55, Sexy: 0.05 };
    expect(agreedLabels(a, b, 50)).to.deep.equal([
      { name: 'Explicit', parentName: '', confidence: 55 },
      { name: 'Explicit Nudity', parentName: 'Explicit', confidence: 55 },
    ]);
    const px = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i);
    expect([...mirrored(px, 2)]).to.deep.equal([3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
    expect([...mirrored(mirrored(px, 2), 2)]).to.deep.equal([...px]);
  });
});

describe('safety/nsfw conversion (the real nsfwjs package, converted here)', function () {
  this.timeout(180_000);
  let model: NsfwModel;
  let modelPath: string;
  before(async () => {
    const resolved = await resolveNsfwModel({ cacheDir });
    modelPath = resolved.modelPath;
    model = await NsfwModel.create(modelPath, 2);
  });

  it('is byte-for-byte the pinned conversion', async () => {
    const bytes = await readFile(modelPath);
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal(NSFW_PIN.onnx.sha256);
    expect(bytes.length).to.equal(NSFW_PIN.onnx.bytes);
  });

  it('reproduces nsfwjs on constant inputs (the vectors in docs/decisions.md)', async () => {
    const expected: Record<string, number[]> = {
      '0': [0.7883, 0.0262, 0.1734, 0.01, 0.0021],
      '0.5': [0.8375, 0.0236, 0.1288, 0.0085, 0.0015],
      '1': [0.7653, 0.0276, 0.1917, 0.0129, 0.0026],
    };
    for (const [v, want] of Object.entries(expected)) {
      const s = await model.scoresFor(new Float32Array(224 * 224 * 3).fill(Number(v)));
      NSFW_CLASSES.forEach((c, i) => expect(s[c], `${v} ${c}`).to.be.closeTo(want[i], 1e-3));
    }
  });

  it('matches the nsfwjs reference scores on all 50 photos within 0.002', async () => {
    const ref = JSON.parse(await readFile(path.join(sharedDir, 'models/nsfwjs-mobilenet-v2-reference-scores.json'), 'utf8')) as Record<
      string,
      Record<string, number>
    >;
    const files = Object.keys(ref).filter((k) => !k.startsWith('_'));
    expect(files).to.have.length(50);
    let max = 0;
    for (const f of files) {
      const s = await model.scores(await readFile(photo(f)));
      for (const c of NSFW_CLASSES) max = Math.max(max, Math.abs(s[c] - ref[f][c]));
    }
    console.log(`      max |ours - nsfwjs| over 50 photos x 5 classes: ${max.toFixed(5)}`);
    expect(max).to.be.at.most(0.002);
  });

  it('removes a corrupted cache entry and rebuilds it; a wrong explicit file is refused', async () => {
    const tmp = await tempDir('nsfw-cache-');
    try {
      const dest = path.join(tmp.dir, NSFW_PIN.name, `${NSFW_PIN.onnx.sha256}.onnx`);
      await mkdir(path.dirname(dest), { recursive: true });
      await copyFile(modelPath, dest);
      const bytes = await readFile(dest);
      bytes[1000] ^= 0xff;
      await writeFile(dest, bytes);
      const again = await resolveNsfwModel({ cacheDir: tmp.dir });
      expect(again.source).to.equal('converted');
      expect(
        createHash('sha256')
          .update(await readFile(dest))
          .digest('hex'),
      ).to.equal(NSFW_PIN.onnx.sha256);
      const wrong = path.join(tmp.dir, 'wrong.onnx');
      await writeFile(wrong, 'not a model');
      try {
        await resolveNsfwModel({ cacheDir: tmp.dir, path: wrong });
        expect.fail('expected ModelIntegrityError');
      } catch (err) {
        expect(err).to.be.instanceOf(ModelIntegrityError);
      }
    } finally {
      await tmp.cleanup();
    }
  });

  it('the local engine flags the swimwear-like banjo photo and leaves benign photos clean', async () => {
    const engine = new LocalSafetyEngine({ primary: model }, { name: NSFW_PIN.name, sha256: NSFW_PIN.onnx.sha256 }, 50);
    const image = {} as StagedImage;
    const banjo = await engine.detect(image, () => readFile(photo('n02787622_banjo.JPEG')));
    const swim = banjo.find((l) => l.name === 'Swimwear or Underwear');
    console.log(`      banjo photo: ${JSON.stringify(banjo)}`);
    expect(swim?.confidence).to.be.above(90);
    for (const f of ['n02391049_zebra.JPEG', 'n01440764_tench.JPEG', 'n03642806_laptop.JPEG', 'n03825788_nipple.JPEG']) {
      const labels = await engine.detect(image, () => readFile(photo(f)));
      expect(
        labels.filter((l) => l.parentName === 'Explicit' || l.name === 'Explicit'),
        f,
      ).to.deep.equal([]);
    }
  });
});

describe('safety/local mapping (pure)', () => {
  it('maps nsfwjs classes to Rekognition taxonomy names above the floor', () => {
    const labels = nsfwToLabels({ Drawing: 0.01, Hentai: 0.3, Neutral: 0.04, Porn: 0.6, Sexy: 0.05 }, 20);
    expect(labels).to.deep.equal([
      { name: 'Explicit', parentName: '', confidence: 90 },
      { name: 'Explicit Nudity', parentName: 'Explicit', confidence: 60 },
      { name: 'Illustrated Explicit Nudity', parentName: 'Explicit Nudity', confidence: 30 },
    ]);
    expect(nsfwToLabels({ Drawing: 0, Hentai: 0, Neutral: 1, Porn: 0, Sexy: 0 }, 1)).to.deep.equal([]);
  });
});

describe("safety/rekognition: the local stand-in for the state machine's SDK call (aws-sdk-client-mock)", () => {
  // Created per suite (not at load time) so other files' Rekognition mocks do not collide with it.
  let rek: AwsClientStub<RekognitionClient>;
  let staging: { dir: string; cleanup: () => Promise<void> };
  let key: string;
  // A real JPEG: the adapter refuses what Rekognition would (format, size, sides) before sending.
  let bytes: Buffer;
  before(async () => {
    bytes = await readFile(photo('n02391049_zebra.JPEG'));
    rek = mockClient(RekognitionClient);
    staging = await tempDir('rek-staging-');
    key = (await new LocalStagingStore(staging.dir).put(bytes, { sha256: createHash('sha256').update(bytes).digest('hex'), format: 'jpeg' })).key;
  });
  afterEach(() => rek.reset());
  after(async () => {
    rek.restore();
    await staging.cleanup();
  });
  const handler = () => rekognitionOnStagedBytes(new LocalStagingStore(staging.dir), new RekognitionClient({ region: 'us-east-1' }));

  it("sends the staged bytes for the S3 key the state machine names and answers in the SDK integration's shape", async () => {
    rek
      .on(DetectModerationLabelsCommand)
      .resolves({ ModerationLabels: [{ Name: 'Alcohol', ParentName: '', Confidence: 88.123, TaxonomyLevel: 1 }], ModerationModelVersion: '7.0' });
    const out = await (await handler())({ Image: { S3Object: { Bucket: 'local-staging', Name: key } }, MinConfidence: 60 });
    expect(out).to.deep.equal({ ModerationLabels: [{ Name: 'Alcohol', ParentName: '', Confidence: 88.123, TaxonomyLevel: 1 }], ModerationModelVersion: '7.0' });
    expect(rek.commandCalls(DetectModerationLabelsCommand)[0].args[0].input).to.deep.equal({ Image: { Bytes: bytes }, MinConfidence: 60 });
  });

  it('names failures as Step Functions does, so the one transient list retries throttling and nothing else', async () => {
    rek
      .on(DetectModerationLabelsCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .rejectsOnce(Object.assign(new Error('bad image'), { name: 'InvalidImageFormatException' }));
    const h = await handler();
    const names: string[] = [];
    for (let i = 0; i < 2; i++) await h({ Image: { S3Object: { Name: key } } }).catch((err: Error) => names.push(err.name));
    expect(names).to.deep.equal(['Rekognition.ThrottlingException', 'Rekognition.InvalidImageFormatException']);
    expect(TRANSIENT_REKOGNITION_ERRORS).to.include(names[0]).and.not.include(names[1]);
  });
});

describe('safety/handler and config', function () {
  this.timeout(60_000);
  it('runs the local engine on a staged image through the real staging directory', async () => {
    const staging = await tempDir('safety-staging-');
    try {
      const store = new LocalStagingStore(staging.dir);
      const bytes = await readFile(photo('n02787622_banjo.JPEG'));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const ptr = await store.put(bytes, { sha256, format: 'jpeg' });
      const handler = createCheckSafetyHandler({
        store,
        engine: () => getSafetyEngine({ minConfidence: 50, threads: 2, maxPixels: 40_000_000, nsfw: { cacheDir } }),
      });
      const out = await handler({ image: { ...ptr, sha256, bytes: bytes.length, format: 'jpeg', width: 500, height: 375 } });
      expect(out.engine).to.equal('local');
      expect(out.model).to.deep.equal({ name: NSFW_PIN.name, sha256: NSFW_PIN.onnx.sha256 });
      expect(out.labels.map((l) => l.name)).to.include('Swimwear or Underwear');
    } finally {
      await staging.cleanup();
    }
  });

  it('validates its environment', () => {
    expect(safetyConfigFromEnv({ SAFETY_MIN_CONFIDENCE: '70' })).to.include({ minConfidence: 70 });
    expect(() => safetyConfigFromEnv({ SAFETY_MIN_CONFIDENCE: '120' })).to.throw(ConfigError, /0\.\.100/);
    expect(() => safetyConfigFromEnv({ NSFW_MODEL_S3_URI: 'https://x' })).to.throw(ConfigError, /s3:\/\//);
  });
});
