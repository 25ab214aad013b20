import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Classifier } from '../../functions/classify/classifier.js';
import { getClassifier } from '../../functions/classify/handler.js';
import { softmax, topK } from '../../functions/classify/topk.js';
import { ConfigError, ModelContractError } from '../../functions/shared/errors.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import type { ClassName } from '../../functions/shared/models/labels.js';
import { mirrorDir, tempDir } from '../models/fixtures.js';
import { photosDir } from '../workflow/fixtures.js';
import { expectedLogits, SYNTHETIC_INPUT, SYNTHETIC_OUTPUT, syntheticResnetOnnx, syntheticWeights } from './synthetic-model.js';

const labels1000: ClassName[] = Array.from({ length: 1000 }, (_, i) => ({ label: `class ${i}`, wnid: `n${String(i).padStart(8, '0')}`, synonyms: [] }));

describe('classify/topk', () => {
  it('softmax is stable for large logits and sums to 1', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p[1]).to.be.closeTo(0.6652, 1e-4);
    expect(p.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-6);
  });
  it('skips outputs without a class (background) and returns k best first', () => {
    const labels = [null, ...labels1000.slice(0, 4)];
    const top = topK([0.9, 0.05, 0.02, 0.02, 0.01], labels, 3);
    expect(top.map((t) => t.label)).to.deep.equal(['class 0', 'class 1', 'class 2']);
  });
});

/** Accuracy on the 50 shared photos: the true class is the wnid in each file name. */
async function accuracy(c: Classifier) {
  const files = (await readdir(photosDir)).filter((f) => f.endsWith('.JPEG')).sort();
  expect(files).to.have.length(50);
  let top1 = 0;
  let top5 = 0;
  for (const f of files) {
    const labels = await c.classify(await readFile(path.join(photosDir, f)));
    expect(labels).to.have.length(5);
    if (labels[0].wnid === f.slice(0, 9)) top1++;
    if (labels.some((l) => l.wnid === f.slice(0, 9))) top5++;
  }
  return { top1, top5 };
}

describe('classify/classifier on the real models and photos', function () {
  this.timeout(120_000);
  let cache: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    cache = await tempDir('classify-cache-');
  });
  after(() => cache.cleanup());

  const load = (name: string) =>
    getClassifier({ store: { name, cacheDir: cache.dir, mirrorDir, allowDownload: false }, config: { threads: 2, maxPixels: 40e6 } });

  it('mobilenet-v2-int8 (probabilities, background class): top-5 >= 46/50 and top-1 >= 40/50', async () => {
    const c = await load('mobilenet-v2-int8');
    const { top1, top5 } = await accuracy(c);
    console.log(`      mobilenet-v2-int8: top-1 ${top1}/50, top-5 ${top5}/50`);
    expect(top5).to.be.at.least(46);
    expect(top1).to.be.at.least(40);
  });

  it('mobilenetv2-12-int8 (the zoo file: logits, mean/std) is as good', async () => {
    const c = await load('mobilenetv2-12-int8');
    expect(c.inputNames).to.deep.equal({ input: 'input', output: 'output' });
    const { top1, top5 } = await accuracy(c);
    console.log(`      mobilenetv2-12-int8: top-1 ${top1}/50, top-5 ${top5}/50`);
    expect(top5).to.be.at.least(46);
    expect(top1).to.be.at.least(40);
  });

  it('gives human-readable labels, probabilities, best first', async () => {
    const c = await load('mobilenetv2-12-int8');
    const [zebra] = await c.classify(await readFile(path.join(photosDir, 'n02391049_zebra.JPEG')));
    expect(zebra).to.deep.include({ label: 'zebra', wnid: 'n02391049' });
    expect(zebra.score).to.be.within(0.3, 1);
    expect(c.model).to.deep.equal({ name: 'mobilenetv2-12-int8', sha256: catalogEntry('mobilenetv2-12-int8').sha256 });
  });

  it('the batch API gives the same answers as one image at a time', async () => {
    for (const name of ['mobilenetv2-12-int8', 'mobilenet-v2-int8']) {
      const c = await load(name);
      const files = ['n02391049_zebra.JPEG', 'n02823428_beer_bottle.JPEG', 'n04243546_slot.JPEG', 'n01440764_tench.JPEG'];
      const bytes = await Promise.all(files.map((f) => readFile(path.join(photosDir, f))));
      const batch = await c.classifyBatch(bytes);
      const single = await Promise.all(bytes.map((b) => c.classify(b)));
      batch.forEach((labels, i) => {
        expect(labels.map((l) => l.wnid)).to.deep.equal(single[i].map((l) => l.wnid));
        labels.forEach((l, j) => expect(l.score).to.be.closeTo(single[i][j].score, 1e-3));
      });
    }
  });

  it('creates one session per model per process', async () => {
    expect(load('mobilenetv2-12-int8')).to.equal(load('mobilenetv2-12-int8'));
  });

  it('refuses a timing-only model for tagging', async () => {
    try {
      await load('resnet50-int8-random-timing');
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/random weights/);
    }
  });
});

describe('classify/classifier on a synthetic ResNet-shaped model', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let modelPath: string;
  const weights = syntheticWeights(7);
  // Integer means so a solid colour maps to an exact input value after preprocessing.
  const manifest = {
    ...catalogEntry('resnet50-v1-12-int8'),
    name: 'synthetic-resnet',
    input: { ...catalogEntry('resnet50-v1-12-int8').input, mean: [124, 116, 104], std: [58, 57, 57] },
  };
  before(async () => {
    dir = await tempDir('synthetic-model-');
    modelPath = path.join(dir.dir, 'synthetic.onnx');
    await writeFile(modelPath, syntheticResnetOnnx(weights));
  });
  after(() => dir.cleanup());

  it('reads the unusual input/output names from the session and applies mean/std and softmax to logits', async () => {
    const c = await Classifier.create({ modelPath, manifest, labels: labels1000, sha256: 'x'.repeat(64), threads: 1 });
    expect(c.inputNames).to.deep.equal({ input: SYNTHETIC_INPUT, output: SYNTHETIC_OUTPUT });
    for (const [rgb, x] of [
      [
        [124, 116, 104],
        [0, 0, 0],
      ],
      [
        [182, 173, 218],
        [1, 1, 2],
      ],
    ] as const) {
      const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .png()
        .toBuffer();
      const got = await c.classify(png);
      const expected = topK(softmax(expectedLogits(weights, [...x])), labels1000, 5);
      expect(got.map((l) => l.label)).to.deep.equal(expected.map((l) => l.label));
      got.forEach((l, i) => expect(l.score).to.be.closeTo(expected[i].score, 1e-4));
    }
    await c.close();
  });

  it('refuses labels that do not match the model output', async () => {
    try {
      await Classifier.create({ modelPath, manifest, labels: labels1000.slice(0, 999), sha256: 'x'.repeat(64) });
      expect.fail('expected ModelContractError');
    } catch (err) {
      expect(err).to.be.instanceOf(ModelContractError);
    }
  });

  it('refuses a model whose input shape contradicts the manifest', async () => {
    const wrong = { ...manifest, input: { ...manifest.input, width: 256, height: 256, resize: 'shorter side to 288 (aspect kept), then centre crop 256x256' } };
    try {
      await Classifier.create({ modelPath, manifest: wrong, labels: labels1000, sha256: 'x'.repeat(64) });
      expect.fail('expected ModelContractError');
    } catch (err) {
      expect(err).to.be.instanceOf(ModelContractError);
      expect((err as Error).message).to.match(/manifest/);
    }
  });
});
