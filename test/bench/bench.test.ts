import { expect } from 'chai';
import { benchApi } from '../../bench/api.js';
import { benchLambdas } from '../../bench/lambda.js';
import { benchQuality } from '../../bench/quality.js';
import { benchWorkflow } from '../../bench/workflow.js';
import { mirrorDir } from '../models/fixtures.js';
import { photosDir } from '../workflow/fixtures.js';

// The benchmarks drive the real handlers with their real payloads: when a step's contract changes and
// the bench is not updated, `npm run bench` dies after minutes of measuring. These runs are the
// smallest that go through every code path; they assert shapes, never timings.
describe('bench: every benchmark still drives the real handlers (one short run each)', function () {
  this.timeout(300_000);

  it('bench/lambda.ts invokes FetchImage, ClassifyImage and CheckSafety as their Lambdas do', async () => {
    const out = await benchLambdas({ model: 'resnet50-int8-random-timing', mirrorDir, photosDir, runs: 1 });
    expect(Object.keys(out).sort()).to.deep.equal(['CheckSafety', 'ClassifyImage', 'FetchImage']);
    for (const estimate of Object.values(out)) {
      expect(Object.keys(estimate.computeP50Ms).sort()).to.deep.equal(['1 MP', 'zebra']);
      expect(estimate.billedMs).to.be.a('number').above(0);
    }
  });

  it('bench/workflow.ts runs the local workflow and profiles every step', async () => {
    const out = await benchWorkflow({ model: 'mobilenetv2-12-int8', photosDir, warmRuns: 2, concurrencies: [2] });
    expect(out.images).to.equal(50);
    expect(Object.keys(out.profile.steps)).to.include.members(['FetchImage', 'ClassifyImage', 'CheckSafety', 'AggregateVerdict']);
    expect(out.profile.steps.ClassifyImage.phasesMs).to.have.property('session.run');
    expect(out.profile.steps.FetchImage.phasesMs).to.have.property('quality');
  });

  it('bench/quality.ts measures every sample photo', async () => {
    const out = await benchQuality({ photosDir, repeats: 1 });
    expect(out.photos).to.equal(50);
    expect(out.msPerImageP50).to.be.a('number').above(0);
  });

  it('bench/api.ts moderates the same photos through the CLI path and over HTTP', async () => {
    const out = await benchApi({ model: 'mobilenetv2-12-int8', photosDir, photos: 2 });
    expect(out.photos).to.equal(2);
    for (const k of ['cliP50Ms', 'apiP50Ms'] as const) expect(out[k]).to.be.a('number').above(0);
    expect(out.addedP50Ms).to.be.a('number');
  });
});

describe('bench: the seed stack side by side (bench/seed.ts)', function () {
  this.timeout(600_000);

  it('times PyTorch ResNet-50 and ResNet-18 when Python and torch are present, and says why when not', async () => {
    const { benchSeed } = await import('../../bench/seed.js');
    const image = (await import('node:path')).join(photosDir, 'n02391049_zebra.JPEG');
    const out = await benchSeed({ image, threads: 1, runs: 1 });
    if ('skipped' in out) {
      expect(out.skipped).to.contain('python3-torch');
      return;
    }
    expect(out.weights).to.equal('random (timing only)');
    for (const m of [out.models.resnet50, out.models.resnet18]) {
      for (const v of [m.preprocessP50Ms, m.inferenceP50Ms, m.warmP50Ms]) expect(v).to.be.a('number').above(0);
    }
    expect(out.coldInitMs).to.be.above(out.importTorchMs);
  });
});
