// The STANDARD definition's review path on the real local engine: RequestReview waits on a task token
// (LocalTaskTokens stands in for Step Functions' callbacks), the real VerdictStep writes the item into a
// real SQLite file, and decideReview (what npm run review and the console call) resumes the execution.
// Small step functions stand in for fetch/classify/safety/aggregate (the real ones run in e2e tests).
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STATE_NAMES, type Verdict } from '../../functions/shared/contracts.js';
import { SqliteVerdictStore } from '../../functions/shared/verdicts/sqlite.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { buildDefinition, type DefinitionRefs, type ReviewSettings } from '../../workflows/definition.js';
import { LocalEngine, type StepHandler } from '../../workflows/local-engine.js';
import { LocalTaskTokens } from '../../workflows/local-task-tokens.js';
import { decideReview } from '../../workflows/review.js';

const sha256 = 'cd'.repeat(32);
const image = { uri: 'file:///tmp/x.jpeg', key: `staging/cd/${sha256}.jpeg`, sha256, bytes: 10, format: 'jpeg', width: 1, height: 1 };
const held: Verdict = {
  decision: 'review',
  reasons: [{ code: 'category-review', category: 'Alcohol', message: 'beer bottle' }],
  seoTags: ['beer-bottle'],
  altText: 'A beer bottle.',
  labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.9 }],
  moderation: [],
  image: image as Verdict['image'],
};

function refs(review: ReviewSettings): DefinitionRefs {
  return {
    fetchImageFunction: 'fetch',
    classifyFunction: 'classify',
    aggregateFunction: 'aggregate',
    safety: { engine: 'local', function: 'safety' },
    verdicts: { function: 'verdicts', ruleset: 'r1', review },
  };
}

describe('STANDARD review on the local engine (task token, real verdict step and SQLite)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: SqliteVerdictStore;
  let tokens: LocalTaskTokens;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'review-wait-'));
    store = await SqliteVerdictStore.open(dir);
    tokens = new LocalTaskTokens();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const engine = (review: ReviewSettings) => {
    const handlers: Record<string, StepHandler> = {
      fetch: async () => ({ image }),
      classify: async () => ({ labels: held.labels, model: { name: 'm', sha256: 's' } }),
      safety: async () => ({ engine: 'local', labels: [] }),
      aggregate: async () => held,
      verdicts: createVerdictStepHandler(async () => ({ store, callbacks: tokens })),
    };
    return new LocalEngine(buildDefinition(refs(review)), { handlers, taskTokens: tokens });
  };
  const pendingItem = async () => {
    for (let i = 0; i < 200; i++) {
      const [item] = await store.listReviews({ status: 'pending' });
      if (item) return item;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no review item was written');
  };

  it('waits for the moderator and ends Approved with their name and note', async () => {
    const run = engine({ mode: 'wait', timeoutSeconds: 20, timeoutOutcome: 'review' }).run({ imageUrl: 'https://x/beer.jpg', postId: 'p1' });
    const item = await pendingItem();
    expect(item.taskTokens).to.have.length(1);
    expect(item.taskTokens[0]).to.match(/^local-/);
    const outcome = await decideReview({ store, callbacks: tokens }, item.reviewId, { decision: 'approve', by: 'Alice', note: 'no drinking shown' });
    expect(outcome.delivery).to.include({ resumed: 1, stale: 0 });
    const done = await run;
    expect(done.status).to.equal(STATE_NAMES.approved);
    expect(done.verdict).to.include({ decision: 'approve', decidedBy: 'Alice', note: 'no drinking shown', reviewId: item.reviewId });
    expect(done.path.slice(-3)).to.deep.equal([STATE_NAMES.requestReview, STATE_NAMES.routeRecorded, STATE_NAMES.approved]);
    // The token was used: resuming again is Step Functions' TaskTimedOut, which the review code names stale.
    try {
      await tokens.sendSuccess(item.taskTokens[0], {});
      expect.fail('a used token was accepted');
    } catch (e) {
      expect((e as Error).name).to.equal('TaskTimedOut');
    }
  });

  it('a rejection resumes it into Rejected', async () => {
    const run = engine({ mode: 'wait', timeoutSeconds: 20, timeoutOutcome: 'review' }).run({ imageUrl: 'https://x/beer.jpg' });
    const item = await pendingItem();
    await decideReview({ store, callbacks: tokens }, item.reviewId, { decision: 'reject', by: 'Bob' });
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
      const [item] = await store.listReviews({ status: 'expired' });
      expect(item?.reviewId).to.equal(done.verdict.reviewId);
      // A late decision is recorded for the next submission; the ended execution is not resumed.
      const late = await decideReview({ store, callbacks: tokens }, item.reviewId, { decision: 'approve', by: 'Alice' });
      expect(late.delivery).to.include({ expired: true, resumed: 0 });
      expect((await store.getVerdict(sha256, 'r1'))?.decidedBy).to.equal('Alice');
    });
  }
});
