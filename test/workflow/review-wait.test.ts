// The STANDARD definition's review path on the real local engine: RequestReview waits on a task token
// (LocalTaskTokens stands in for Step Functions' callbacks), the real VerdictStep writes the item into a
// real SQLite file, and decideReview (what npm run review and the console call) resumes the execution.
// Small step functions stand in for fetch/classify/safety/aggregate (the real ones run in e2e tests).
import { expect } from 'chai';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { buildDefinition, type ReviewSettings } from '../../workflows/definition.js';
import { LocalEngine } from '../../workflows/local/engine.js';
import { LocalTaskTokens } from '../../workflows/local/task-tokens.js';
import { decideReview } from '../../functions/verdicts/decide.js';
import { STUB_RULESET, STUB_SHA256, stubImage, stubRefs, stubVerdict, useStubSteps } from './fixtures.js';

const held = stubVerdict('review', {
  reasons: [{ code: 'category-review', category: 'Alcohol', message: 'beer bottle' }],
  seoTags: ['beer-bottle'],
  altText: 'A beer bottle.',
  labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.9 }],
  image: stubImage,
});

describe('STANDARD review on the local engine (task token, real verdict step and SQLite)', function () {
  this.timeout(30_000);
  const stub = useStubSteps('review-wait-');
  let tokens: LocalTaskTokens;
  beforeEach(() => {
    tokens = new LocalTaskTokens();
  });

  const engine = (review: ReviewSettings) => {
    const handlers = stub.handlers(
      { classify: async () => ({ labels: held.labels, model: { name: 'm', sha256: 's' } }), aggregate: async () => held },
      { callbacks: tokens },
    );
    return new LocalEngine(buildDefinition(stubRefs(review)), { handlers, taskTokens: tokens });
  };
  const pendingItem = async () => {
    for (let i = 0; i < 200; i++) {
      const [item] = await stub.store.listReviews({ status: 'pending' });
      if (item) return item;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no review item was written');
  };

  it('waits for the moderator and ends Approved with their name and note', async () => {
    const run = engine({ mode: 'wait', timeoutSeconds: 20, timeoutOutcome: 'review' }).run({ imageUrl: 'https://x/beer.jpg', postId: 'p1' });
    const item = await pendingItem();
    expect(item.waitingExecutions).to.equal(1);
    const [token] = await stub.store.taskTokens(item.reviewId);
    expect(token).to.match(/^local-/);
    const outcome = await decideReview({ store: stub.store, callbacks: tokens }, item.reviewId, {
      decision: 'approve',
      by: 'Alice',
      note: 'no drinking shown',
    });
    expect(outcome.delivery).to.include({ resumed: 1, stale: 0 });
    const done = await run;
    expect(done.status).to.equal(STATE_NAMES.approved);
    expect(done.verdict).to.include({ decision: 'approve', decidedBy: 'Alice', note: 'no drinking shown', reviewId: item.reviewId });
    expect(done.path.slice(-3)).to.deep.equal([STATE_NAMES.requestReview, STATE_NAMES.routeRecorded, STATE_NAMES.approved]);
    // The token was used: resuming again is Step Functions' TaskTimedOut, which the review code names stale.
    try {
      await tokens.sendSuccess(token, {});
      expect.fail('a used token was accepted');
    } catch (e) {
      expect((e as Error).name).to.equal('TaskTimedOut');
    }
  });

  it('a rejection resumes it into Rejected', async () => {
    const run = engine({ mode: 'wait', timeoutSeconds: 20, timeoutOutcome: 'review' }).run({ imageUrl: 'https://x/beer.jpg' });
    const item = await pendingItem();
    await decideReview({ store: stub.store, callbacks: tokens }, item.reviewId, { decision: 'reject', by: 'Bob' });
    expect((await run).status).to.equal(STATE_NAMES.rejected);
  });

  for (const [outcome, end] of [
    ['review', STATE_NAMES.review],
    ['reject', STATE_NAMES.rejected],
  ] as const) {
    it(`nobody decides before TimeoutSeconds: ReviewExpired, the item expires, the execution ends ${end} (never Approved)`, async () => {
      const done = await engine({ mode: 'wait', timeoutSeconds: 1, timeoutOutcome: outcome }).run({ imageUrl: 'https://x/beer.jpg' });
      expect(done.path).to.include(STATE_NAMES.reviewExpired);
      expect(done.status).to.equal(end);
      expect(done.verdict.reasons[0]).to.include({ code: 'review-expired', error: 'States.Timeout' });
      const [item] = await stub.store.listReviews({ status: 'expired' });
      expect(item?.reviewId).to.equal(done.verdict.reviewId);
      // A late decision is recorded for the next submission; the ended execution is not resumed.
      const late = await decideReview({ store: stub.store, callbacks: tokens }, item.reviewId, { decision: 'approve', by: 'Alice' });
      expect(late.delivery).to.include({ expired: true, resumed: 0 });
      expect((await stub.store.getVerdict(STUB_SHA256, STUB_RULESET))?.decidedBy).to.equal('Alice');
    });
  }
});
