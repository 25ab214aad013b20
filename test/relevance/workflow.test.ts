import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { InvalidInput } from '../../functions/shared/errors.js';
import { parseModerationInput, POST_LIMITS } from '../../functions/shared/moderation-input.js';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { photo } from '../workflow/fixtures.js';

describe('relevance: the post in the execution input', () => {
  it('accepts { title, keywords?, text? } and refuses bad shapes with InvalidInput naming the field', () => {
    const ok = parseModerationInput({ imageUrl: 'https://x/y.jpg', post: { title: ' Zebras ', keywords: ['savanna'], text: 'Stripes.' } });
    expect(ok.post).to.deep.equal({ title: 'Zebras', keywords: ['savanna'], text: 'Stripes.' });
    for (const [post, pattern] of [
      [{}, /post\.title/],
      [{ title: '' }, /post\.title is empty/],
      [{ title: 'x'.repeat(POST_LIMITS.title + 1) }, /post\.title is longer than 300/],
      [{ title: 'x', keywords: 'zebra' }, /post\.keywords/],
      [{ title: 'x', keywords: Array(POST_LIMITS.keywords + 1).fill('k') }, /more than 20 keywords/],
      [{ title: 'x', body: 'y' }, /post/],
      ['Zebras', /post/],
    ] as const)
      expect(() => parseModerationInput({ imageUrl: 'https://x/y.jpg', post }), JSON.stringify(post)).to.throw(InvalidInput, pattern);
  });
});

describe('relevance in verdicts (real local workflow, real models, real store)', function () {
  this.timeout(180_000);
  let tmp: string;
  let workflow: LocalWorkflow;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'relevance-'));
    workflow = await createLocalWorkflow({ stagingDir: path.join(tmp, 'staging'), dataDir: path.join(tmp, 'data'), safetyEngine: 'local' });
  });
  after(async () => {
    await workflow?.close?.();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('scores the verdict against the post; a known image with another post is scored from the stored labels, no model run', async () => {
    const zebra = photo('n02391049_zebra.JPEG');
    const first = await workflow.run({ imageUrl: zebra, postId: 'p1', post: { title: 'Zebras crossing the Serengeti' } });
    expect(first.verdict.decision).to.equal('approve');
    expect(first.verdict.relevance!.score).to.be.above(0.3);
    expect(first.verdict.relevance!.matches[0]).to.include({ term: 'zebras', label: 'zebra', via: 'name' });
    expect(first.timings[STATE_NAMES.classify]).to.be.a('number');

    const second = await workflow.run({ imageUrl: zebra, postId: 'p2', post: { title: 'Autumn squash recipes for a cosy weekend' } });
    expect(second.timings[STATE_NAMES.classify], 'the stored verdict answers: no model runs').to.equal(undefined);
    expect(second.verdict.labels).to.deep.equal(first.verdict.labels);
    expect(second.verdict.relevance).to.include({ score: 0, explanation: 'Nothing in the post matches zebra.' });

    const third = await workflow.run({ imageUrl: zebra, postId: 'p3' });
    expect(third.verdict).to.not.have.property('relevance');
    expect(third.verdict.decision).to.equal(first.verdict.decision);
    expect(third.verdict.labels).to.deep.equal(first.verdict.labels);
  });
});
