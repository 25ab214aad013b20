// RequestReview takes the task tokens Step Functions issues (up to 2,048 characters) and refuses longer
// ones by name; a repeated identical decision sends no token a second time (no misleading StaleReviewToken).
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { InvalidInput } from '../../functions/shared/errors.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/index.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { decideReview } from '../../functions/verdicts/decide.js';
import { sha, verdict } from './store-contract.js';

describe('task tokens: Step Functions-sized, and sent once (real SQLite file)', () => {
  let dir: string;
  let store: SqliteVerdictStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'task-token-'));
    store = await SqliteVerdictStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const held = (name: string) => verdict('review', { image: { uri: 'file:///x', key: 'x', sha256: sha(name), bytes: 1, format: 'jpeg', width: 1, height: 1 } });
  const event = (name: string, taskToken: string) => ({
    action: 'requestReview',
    ruleset: 'r1',
    verdict: held(name),
    input: { imageUrl: 'https://x/a.jpg', postId: 'p' },
    timeoutSeconds: 60,
    taskToken,
  });

  it('accepts a 2,048-character token and refuses a longer one as InvalidInput', async () => {
    const step = createVerdictStepHandler({ store });
    const v = (await step(event('long', 'A'.repeat(2048)))) as Verdict;
    expect(v.decision).to.equal('review');
    const err = await Promise.resolve(step(event('longer', 'A'.repeat(2049)))).catch((e: Error) => e);
    expect(err).to.be.instanceOf(InvalidInput);
  });

  it('two identical approvals resume the execution once; the second reports nothing changed and throws nothing', async () => {
    const sent: string[] = [];
    const callbacks = {
      // Step Functions: a token is single-use; a second SendTaskSuccess is refused.
      sendSuccess: async (t: string) => {
        if (sent.includes(t)) throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
        sent.push(t);
      },
    };
    const step = createVerdictStepHandler({ store, callbacks });
    const v = (await step(event('twice', 'T'.repeat(600)))) as Verdict;
    const [a, b] = await Promise.all([
      decideReview({ store, callbacks }, v.reviewId!, { decision: 'approve', by: 'alice' }),
      decideReview({ store, callbacks }, v.reviewId!, { decision: 'approve', by: 'alice' }),
    ]);
    expect(sent).to.have.length(1);
    expect([a.changed, b.changed].sort()).to.deep.equal([false, true]);
    const again = await decideReview({ store, callbacks }, v.reviewId!, { decision: 'approve', by: 'alice' });
    expect(again).to.deep.include({ changed: false });
    expect(again.delivery.resumed).to.equal(0);
  });
});
