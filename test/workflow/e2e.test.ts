// End to end: the deployed definition on the embedded engine, the real step handlers, the real model,
// the shared photos, and real HTTP on loopback.
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { type Reason } from '../../functions/shared/contracts/index.js';
import { FAIL_SAFE_STATE_NAMES, STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { PAYLOAD_LIMIT_BYTES, type LocalExecution, type StepHandler } from '../../workflows/local/engine.js';
import { LOCAL_FUNCTIONS } from '../../workflows/local/definition.js';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { reviewMain } from '../../cli/review.js';
import { captureIo, photo, pngBomb, sharedDir, startFixtureServer, unreachableUrl, type FixtureServer } from './fixtures.js';

const NO_WAIT = Object.fromEntries(Object.values(STATE_NAMES).map((s) => [s, 0]));

function categories(reasons: Reason[]): string[] {
  return reasons.map((r) => r.category).filter((c): c is string => Boolean(c));
}

/** Every state's input and output, as the event log records them, fits Step Functions' limit. */
function assertPayloadsFit(run: LocalExecution): void {
  expect(run.maxPayloadBytes).to.be.greaterThan(0).and.lessThan(PAYLOAD_LIMIT_BYTES);
  for (const ev of run.events) {
    if (ev && 'state' in ev && ev.state) {
      const bytes = Buffer.byteLength(JSON.stringify(ev.state.output ?? ev.state.input ?? null));
      expect(bytes, `${ev.type} ${ev.state.name}`).to.be.lessThan(PAYLOAD_LIMIT_BYTES);
    }
  }
}

describe('workflow end to end (real handlers, real model, local engine)', function () {
  this.timeout(120_000);
  let server: FixtureServer;
  let tmp: string;
  let workflow: LocalWorkflow;

  before(async () => {
    server = await startFixtureServer();
    tmp = await mkdtemp(path.join(tmpdir(), 'e2e-'));
    workflow = await createLocalWorkflow({
      stagingDir: path.join(tmp, 'staging'),
      dataDir: path.join(tmp, 'data'),
      safetyEngine: 'local',
      fetch: { allowHosts: [new URL(server.origin).hostname] },
      retryIntervalOverrides: NO_WAIT,
    });
  });
  after(async () => {
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('approves an animal photo with sensible tags and alt text', async () => {
    const run = await workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), postId: 'post-1' });
    expect(run.status, JSON.stringify(run.verdict.reasons)).to.equal(STATE_NAMES.approved);
    expect(run.verdict.decision).to.equal('approve');
    expect(run.verdict.labels[0].label).to.equal('zebra');
    expect(run.verdict.seoTags).to.include('zebra');
    expect(run.verdict.altText.toLowerCase()).to.include('zebra');
    expect(run.verdict.image!.format).to.equal('jpeg');
    // Quality travels with the verdict (measured once in FetchImage), not twice inside its image.
    expect(run.verdict.quality!.issues).to.deep.equal([]);
    expect(run.verdict.quality!.measures.jpegQuality).to.be.a('number');
    expect(run.verdict.image).not.to.have.property('quality');
    for (const s of [STATE_NAMES.fetch, STATE_NAMES.classify, STATE_NAMES.safety, STATE_NAMES.aggregate]) expect(run.timings[s], s).to.be.a('number');
    assertPayloadsFit(run);
  });

  it('holds an out-of-focus copy of a safe photo for review as unfit, not unsafe', async () => {
    const blurred = path.join(tmp, 'zebra-blurred.jpg');
    await writeFile(
      blurred,
      await sharp(await readFile(photo('n02391049_zebra.JPEG')))
        .blur(4)
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const run = await workflow.run({ imageUrl: blurred });
    expect(run.verdict.decision).to.equal('review');
    const held = run.verdict.reasons.filter((r) => r.source === 'quality');
    expect(held.map((r) => [r.code, r.kind])).to.deep.include(['quality-review', 'blur']);
    expect(held.find((r) => r.kind === 'blur')!.message).to.match(/^Out of focus: sharpness 0\.\d\d, review below 0\.\d\d\.$/);
    // Safety found nothing: the only non-quality reason is the clean one.
    expect(run.verdict.reasons.filter((r) => r.source !== 'quality').map((r) => r.code)).to.deep.equal(['clean']);
  });

  // The zebra, not the otter this test used before quality existed: the otter photo is genuinely dark
  // (its brightest tones reach 0.53 of white) and the default quality bands hold it for exposure.
  it('fetches over real HTTP on loopback (allow-listed) and approves an animal photo', async () => {
    const run = await workflow.run({ imageUrl: `${server.origin}/photo/n02391049_zebra.JPEG` });
    expect(run.status, JSON.stringify(run.verdict.reasons)).to.equal(STATE_NAMES.approved);
    expect(run.verdict.seoTags).to.include('zebra');
  });

  for (const [file, category] of [
    ['n02823428_beer_bottle.JPEG', 'Alcohol'],
    ['n03937543_pill_bottle.JPEG', 'Drugs & Tobacco'],
    ['n04243546_slot.JPEG', 'Gambling'],
  ] as const) {
    it(`does not approve ${file} and names ${category} in the reasons`, async () => {
      const run = await workflow.run({ imageUrl: photo(file) });
      expect(run.verdict.decision).not.to.equal('approve');
      expect(run.status).to.be.oneOf([STATE_NAMES.review, STATE_NAMES.rejected]);
      expect(categories(run.verdict.reasons)).to.include(category);
    });
  }

  // Benign photos one nsfwjs model alone rejected or held (npm run eval before the two-model engine):
  // MobileNetV2 said Explicit 84 % (reject) on a hand on a guitar and Sexy 98 % on a football helmet.
  for (const file of ['calibration/n02676566_acoustic_guitar.JPEG', 'imagenet-sample/n03379051_football_helmet.JPEG']) {
    it(`approves ${path.basename(file)}, which one safety model alone flagged`, async () => {
      const run = await workflow.run({ imageUrl: path.join(sharedDir, 'images', file) });
      expect(run.status, JSON.stringify(run.verdict.reasons)).to.equal(STATE_NAMES.approved);
    });
  }

  it('still sends the brassiere photo to review as Swimwear or Underwear', async () => {
    const run = await workflow.run({ imageUrl: path.join(sharedDir, 'images/calibration/n02892767_brassiere.JPEG') });
    expect(run.status, JSON.stringify(run.verdict.reasons)).to.equal(STATE_NAMES.review);
    expect(categories(run.verdict.reasons)).to.include('Swimwear or Underwear');
  });

  it('sends a swimwear-like photo (the local safety model says Sexy) to review', async () => {
    // nsfwjs rates this photo Sexy 0.985 (../shared/models/nsfwjs-mobilenet-v2-reference-scores.json).
    const run = await workflow.run({ imageUrl: photo('n02787622_banjo.JPEG') });
    expect(run.status, JSON.stringify(run.verdict.reasons)).to.equal(STATE_NAMES.review);
    expect(categories(run.verdict.reasons)).to.include('Swimwear or Underwear');
  });

  describe('bad inputs end in review or reject with the named error', () => {
    const cases: Array<[string, () => Promise<string>, string]> = [
      ['an unreachable URL', () => unreachableUrl(), 'FetchFailed'],
      ['a 404', async () => `${server.origin}/no-such-image.jpg`, 'FetchFailed'],
      ['an HTML page', async () => `${server.origin}/page.html`, 'UnsupportedImageFormat'],
      [
        'a zero-byte file',
        async () => {
          const f = path.join(tmp, 'empty.jpg');
          await writeFile(f, Buffer.alloc(0));
          return f;
        },
        'EmptyImage',
      ],
      [
        'a truncated JPEG',
        async () => {
          const bytes = await readFile(photo('n02391049_zebra.JPEG'));
          const f = path.join(tmp, 'truncated.jpg');
          await writeFile(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
          return f;
        },
        'CorruptImage',
      ],
      [
        'a 30000x30000 PNG',
        async () => {
          const f = path.join(tmp, 'bomb.png');
          await writeFile(f, pngBomb(30_000, 30_000));
          return f;
        },
        'PixelLimitExceeded',
      ],
      ['the metadata address', async () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'FetchBlocked'],
    ];
    for (const [what, make, errorName] of cases) {
      it(`${what} → ${errorName}`, async () => {
        const run = await workflow.run({ imageUrl: await make() });
        expect(run.status).to.be.oneOf([STATE_NAMES.review, STATE_NAMES.rejected]);
        expect(run.verdict.decision).not.to.equal('approve');
        expect(run.path).to.include(FAIL_SAFE_STATE_NAMES.verdict);
        expect(
          run.verdict.reasons.map((r) => r.error),
          JSON.stringify(run.verdict.reasons),
        ).to.include(errorName);
        // Permanent: tried once, never retried.
        expect(run.retries[STATE_NAMES.fetch] ?? 0).to.equal(0);
      });
    }
  });

  it('retries a transient classifier failure and then succeeds', async () => {
    let attempts = 0;
    const flaky = await createLocalWorkflow({
      stagingDir: path.join(tmp, 'staging'),
      // Its own store: a verdict recorded by another test would answer without classifying.
      dataDir: path.join(tmp, 'data-flaky'),
      safetyEngine: 'local',
      retryIntervalOverrides: NO_WAIT,
      wrap: (fn, handler): StepHandler =>
        fn !== LOCAL_FUNCTIONS.classify
          ? handler
          : async (payload) => {
              attempts += 1;
              if (attempts === 1) {
                const e = new Error('Rate exceeded');
                e.name = 'Lambda.TooManyRequestsException';
                throw e;
              }
              return handler(payload);
            },
    });
    const run = await flaky.run({ imageUrl: photo('n01440764_tench.JPEG') });
    expect(attempts).to.equal(2);
    expect(run.retries[STATE_NAMES.classify]).to.equal(1);
    expect(run.path).not.to.include(FAIL_SAFE_STATE_NAMES.verdict);
    expect(run.verdict.labels[0].label).to.equal('tench');
  });

  /**
   * The 50 shared photos hold no weapon or swimwear picture and nothing can be downloaded here, so these
   * run the Rekognition engine path (the direct SDK integration in the definition) with Amazon Rekognition
   * answered at the SDK by aws-sdk-client-mock, as it answers for such photos. Everything else is real.
   */
  describe('weapons and swimwear (Rekognition engine, AWS answered by aws-sdk-client-mock)', () => {
    let rek: AwsClientStub<RekognitionClient>;
    let rekWorkflow: LocalWorkflow;
    const savedRegion = process.env.AWS_REGION;
    before(async () => {
      process.env.AWS_REGION = 'us-east-1';
      rek = mockClient(RekognitionClient);
      rekWorkflow = await createLocalWorkflow({
        stagingDir: path.join(tmp, 'staging'),
        dataDir: path.join(tmp, 'data-rek'),
        safetyEngine: 'rekognition',
        retryIntervalOverrides: NO_WAIT,
      });
    });
    after(() => {
      rek.restore();
      if (savedRegion === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = savedRegion;
    });

    it('a weapons photo is not approved and Violence is named', async () => {
      rek.on(DetectModerationLabelsCommand).resolves({
        ModerationLabels: [
          { Name: 'Violence', ParentName: '', Confidence: 97.1, TaxonomyLevel: 1 },
          { Name: 'Weapons', ParentName: 'Violence', Confidence: 97.1, TaxonomyLevel: 2 },
        ],
        ModerationModelVersion: '7.0',
      });
      const run = await rekWorkflow.run({ imageUrl: photo('n03995372_power_drill.JPEG') });
      expect(run.verdict.decision).not.to.equal('approve');
      expect(categories(run.verdict.reasons)).to.include('Violence');
      const sent = rek.commandCalls(DetectModerationLabelsCommand).at(-1)!.args[0].input;
      expect(sent.Image?.Bytes?.length).to.be.greaterThan(1000);
    });

    it('a swimwear photo goes to review with Swimwear or Underwear named', async () => {
      rek.on(DetectModerationLabelsCommand).resolves({
        ModerationLabels: [
          { Name: 'Swimwear or Underwear', ParentName: '', Confidence: 92.4, TaxonomyLevel: 1 },
          { Name: 'Female Swimwear or Underwear', ParentName: 'Swimwear or Underwear', Confidence: 92.4, TaxonomyLevel: 2 },
        ],
      });
      const run = await rekWorkflow.run({ imageUrl: photo('n01440764_tench.JPEG') });
      expect(run.status).to.equal(STATE_NAMES.review);
      expect(categories(run.verdict.reasons)).to.include('Swimwear or Underwear');
    });

    it('a Rekognition failure ends in review, never approve', async () => {
      rek.on(DetectModerationLabelsCommand).rejects(Object.assign(new Error('bad'), { name: 'InvalidImageFormatException' }));
      const run = await rekWorkflow.run({ imageUrl: photo('n02391049_zebra.JPEG') });
      expect(run.verdict.decision).to.equal('review');
      expect(run.path).to.include(FAIL_SAFE_STATE_NAMES.verdict);
    });

    it('a failed safety step (AccessDeniedException) is a review item a moderator lists and decides, with the failure as its reason', async () => {
      rek
        .on(DetectModerationLabelsCommand)
        .rejects(Object.assign(new Error('User is not authorized to perform rekognition:DetectModerationLabels'), { name: 'AccessDeniedException' }));
      const review = async (...argv: string[]) => {
        const io = captureIo({ USER: 'tester' });
        const code = await reviewMain([...argv, '--data-dir', path.join(tmp, 'data-rek')], io);
        return { code, out: io.out(), err: io.err() };
      };
      const file = photo('n02444819_otter.JPEG');
      const run = await rekWorkflow.run({ imageUrl: file, postId: 'post-denied', reModerate: true });
      expect(run.status).to.equal(STATE_NAMES.review);
      expect(run.path).to.include.members([FAIL_SAFE_STATE_NAMES.analyzeFailed, FAIL_SAFE_STATE_NAMES.verdict, STATE_NAMES.requestReview]);
      const reviewId = run.verdict.reviewId!;
      expect(reviewId).to.match(/^rv-[0-9a-f]{20}$/);

      const listed = await review('list', '--json');
      expect(listed.code, listed.err).to.equal(0);
      const item = (
        JSON.parse(listed.out) as Array<{ reviewId: string; status: string; verdict: { reasons: Array<{ error?: string; message: string }> } }>
      ).find((i) => i.reviewId === reviewId);
      expect(item, listed.out).to.include({ status: 'pending' });
      expect(item!.verdict.reasons.map((r) => r.error)).to.include('Rekognition.AccessDeniedException');
      expect(item!.verdict.reasons.map((r) => r.message).join(' ')).to.match(/AccessDeniedException in AnalyzeImage/);

      const rejected = await review('reject', reviewId, '--as', 'Alice Moderator');
      expect(rejected.code, rejected.err).to.equal(0);
      expect((await rekWorkflow.verdicts.getReview(reviewId))?.status).to.equal('rejected');
      expect((JSON.parse((await review('list', '--json')).out) as Array<{ reviewId: string }>).map((i) => i.reviewId)).not.to.include(reviewId);
    });
  });
});
