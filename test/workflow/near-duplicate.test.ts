// Near-duplicate memory end to end, locally, with every real part: the real handlers and models on the
// embedded engine, the SQLite store on a real file, `npm run review` as a function. A photo held for
// Alcohol is rejected by a moderator; its re-encoded, resized, cropped, brightened and WebP copies are
// then answered as rejected by that moderator with a near-duplicate reason, and no second review.
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { DEGRADATIONS, ISSUE_VARIANTS } from '../../eval/degrade.js';
import { photo, useLocalWorkflow } from './fixtures.js';

const MODEL_STATES: string[] = [STATE_NAMES.classify, STATE_NAMES.safety];

describe('near-duplicate memory, locally (real models, real SQLite store, npm run review as a function)', function () {
  this.timeout(300_000);
  const fx = useLocalWorkflow('near-duplicate');
  const review = fx.review;
  const copyOf = async (file: string, name: string) => {
    const d = DEGRADATIONS.find((x) => x.name === name)!;
    const out = path.join(fx.tmp, `${path.basename(file)}.${name.replace(/[^a-z0-9]+/gi, '_')}.${name === 'webp' ? 'webp' : 'jpg'}`);
    await writeFile(out, await d.make(await readFile(file)));
    return out;
  };

  it('answers the five copies of a photo a moderator rejected as rejected by that moderator, with a near-duplicate reason and no second review', async () => {
    const original = photo('n02823428_beer_bottle.JPEG');
    const held = await fx.workflow.run({ imageUrl: original, postId: 'post-wine' });
    expect(held.status).to.equal(STATE_NAMES.review);
    const rejected = await review('reject', held.verdict.reviewId!, '--as', 'Alice', '--note', 'no alcohol on this blog');
    expect(rejected.code, rejected.err).to.equal(0);
    const sha = held.verdict.image!.sha256;

    for (const name of ISSUE_VARIANTS) {
      const run = await fx.workflow.run({ imageUrl: await copyOf(original, name), postId: `post-${name}` });
      expect(run.status, name).to.equal(STATE_NAMES.rejected);
      expect(run.verdict.decidedBy, name).to.equal('Alice');
      expect(run.verdict.image!.sha256, name).not.to.equal(sha);
      const reason = run.verdict.reasons[0];
      expect(reason, name).to.include({ code: 'near-duplicate', of: sha, decidedBy: 'Alice' });
      expect(reason.distance, name).to.be.within(0, 8);
      for (const s of MODEL_STATES) expect(run.path, `${name}: ${s}`).not.to.include(s);
      expect(run.path, name).not.to.include(STATE_NAMES.requestReview);
    }
    const pending = await review('list', '--json');
    expect(JSON.parse(pending.out)).to.deep.equal([]);
  });

  it('moderates a near-duplicate of a policy-decided photo afresh', async () => {
    const original = photo('n02391049_zebra.JPEG');
    const first = await fx.workflow.run({ imageUrl: original });
    expect(first.verdict.decidedBy).to.equal('policy');
    const copy = await fx.workflow.run({ imageUrl: await copyOf(original, 'jpeg-q55') });
    expect(copy.status).to.equal(STATE_NAMES.approved);
    expect(copy.verdict.decidedBy).to.equal('policy');
    expect(copy.verdict.reasons.map((r) => r.code)).not.to.include('near-duplicate');
    for (const s of MODEL_STATES) expect(copy.path, s).to.include(s);
  });

  it('npm run review -- block <file> rejects the near-duplicates of a photo the policy approved, by name', async () => {
    const original = photo('n01440764_tench.JPEG');
    // A re-encoded copy (full size): a 70 % copy of this 500-px photo is under the default minimum size,
    // so quality would hold it for review, and a pending review is not a policy verdict to replace.
    const before = await fx.workflow.run({ imageUrl: await copyOf(original, 'jpeg-q55') });
    expect(before.verdict.decidedBy).to.equal('policy');
    const blocked = await review('block', original, '--as', 'Ops', '--note', 'copyright claim');
    expect(blocked.code, blocked.err).to.equal(0);
    expect(blocked.out).to.match(/^Blocked [0-9a-f]{64} \(by Ops\)/);
    // The copy's own policy verdict is replaced by the block, and a new copy is rejected too.
    for (const name of ['jpeg-q55', 'crop-4%']) {
      const run = await fx.workflow.run({ imageUrl: await copyOf(original, name) });
      expect(run.status, name).to.equal(STATE_NAMES.rejected);
      expect(run.verdict.reasons[0], name).to.include({ code: 'near-duplicate', decidedBy: 'Ops' });
      expect(run.verdict.reasons[0].message, name).to.match(/Ops rejected: copyright claim/);
    }
  });
});
