// `npm run review -- expire` and `list` on a real SQLite store: queued reviews (local runs, EXPRESS)
// end at their deadline with the configured outcome, and the queue never shows one past it.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExpirySweep } from '../../functions/shared/contracts/index.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { reviewMain } from '../../cli/review.js';
import { sha, verdict } from '../verdicts/store-contract.js';
import { captureIo } from './fixtures.js';

describe('npm run review -- expire | list: queued reviews end at their deadline (real SQLite file)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'review-expire-'));
    const store = await SqliteVerdictStore.open(dir);
    const at = new Date(Date.now() - 7_200_000).toISOString();
    for (const [name, deadline] of [
      ['past', new Date(Date.now() - 60_000).toISOString()],
      ['future', new Date(Date.now() + 3_600_000).toISOString()],
    ]) {
      const s = sha(name);
      await store.requestReview({
        sha256: s,
        ruleset: 'r',
        verdict: verdict('review', { image: { uri: 'file:///x', key: 'x', sha256: s, bytes: 1, format: 'jpeg', width: 1, height: 1 } }),
        postId: `post-${name}`,
        imageUrl: `https://x/${name}.jpg`,
        at,
        deadline,
      });
    }
    await store.close();
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const review = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
    const io = captureIo(env);
    const code = await reviewMain([...argv, '--data-dir', dir], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('expire ends the item past its deadline with REVIEW_TIMEOUT_OUTCOME and leaves the other; again, nothing changes', async () => {
    const r = await review({ REVIEW_TIMEOUT_OUTCOME: 'reject' }, 'expire');
    expect(r.code, r.err).to.equal(0);
    expect(r.out)
      .to.match(/^Expired 1 review past their deadline/)
      .and.contain('-> reject')
      .and.contain('posts post-past');
    const store = await SqliteVerdictStore.open(dir);
    expect(await store.getVerdict(sha('past'), 'r')).to.deep.include({ decision: 'reject', decidedBy: 'policy' });
    expect((await store.getVerdict(sha('future'), 'r'))?.decision).to.equal('review');
    await store.close();
    const again = await review({}, 'expire', '--json');
    expect(again.code).to.equal(0);
    expect((JSON.parse(again.out) as ExpirySweep).expired).to.deep.equal([]);
  });

  it('expire --now in the future ends the later one too (default outcome: review, never approve)', async () => {
    const r = await review({}, 'expire', '--now', new Date(Date.now() + 7_200_000).toISOString(), '--json');
    expect(r.code, r.err).to.equal(0);
    const sweep = JSON.parse(r.out) as ExpirySweep;
    expect(sweep.expired.map((e) => e.decision)).to.deep.equal(['review', 'review']);
    expect(sweep.expired.map((e) => e.postIds[0])).to.deep.equal(['post-past', 'post-future']);
  });

  it('list ends due items first: the pending queue never shows one past its deadline', async () => {
    const r = await review({}, 'list', '--json');
    expect(r.code, r.err).to.equal(0);
    const pending = JSON.parse(r.out) as Array<{ imageUrl: string; deadline: string }>;
    expect(pending.map((i) => i.imageUrl)).to.deep.equal(['https://x/future.jpg']);
    const expired = JSON.parse((await review({}, 'list', '--status', 'expired', '--json')).out) as Array<{ imageUrl: string }>;
    expect(expired.map((i) => i.imageUrl)).to.deep.equal(['https://x/past.jpg']);
  });

  it('refuses what it cannot do: a bad --now, --now on list, expire against a stack, an approving outcome', async () => {
    const cases: Array<[NodeJS.ProcessEnv, string[], RegExp]> = [
      [{}, ['expire', '--now', 'tomorrow'], /--now must be an ISO time/],
      [{}, ['list', '--now', '2026-12-03T00:00:00Z'], /--now is only for expire/],
      [{}, ['expire', '--table', 'blog-verdicts'], /scheduled sweep/],
      [{ REVIEW_TIMEOUT_OUTCOME: 'approve' }, ['expire'], /REVIEW_TIMEOUT_OUTCOME: .*never approve/],
      [{ REVIEW_TIMEOUT_SECONDS: '5' }, ['expire'], /REVIEW_TIMEOUT_SECONDS: .*at least 60/],
    ];
    for (const [env, argv, message] of cases) {
      const r = await review(env, ...argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err).to.match(message);
    }
  });
});
