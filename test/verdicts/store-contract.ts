/**
 * The behaviour every VerdictStore adapter must have, run against a real database by each adapter's
 * test file (SQLite on a file, DynamoDB on dynalite).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { POLICY_DECIDER, type Verdict } from '../../functions/shared/contracts/index.js';
import type { VerdictStore } from '../../functions/shared/verdict-store/store.js';
import { reviewIdFor } from '../../functions/shared/verdict-store/rules.js';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export function verdict(decision: Verdict['decision'], extra: Partial<Verdict> = {}): Verdict {
  return {
    decision,
    reasons: [{ code: decision === 'approve' ? 'clean' : 'category-review', category: decision === 'approve' ? undefined : 'Alcohol', message: 'test' }],
    seoTags: ['beer-bottle', 'bottle'],
    altText: 'A photo of a beer bottle.',
    labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.9 }],
    moderation: [],
    ...extra,
  };
}

const at = '2026-12-02T04:00:00.000Z';
const deadline = '2026-12-03T04:00:00.000Z';

export function storeContract(open: () => Promise<VerdictStore>): void {
  let store: VerdictStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('records a policy verdict by sha256 + ruleset, with decidedBy policy and the posts it served', async () => {
    const s = sha('a');
    const r = await store.putVerdict({ sha256: s, ruleset: 'r1', verdict: verdict('approve'), postId: 'post-1' });
    expect(r).to.include({ sha256: s, ruleset: 'r1', decision: 'approve', decidedBy: POLICY_DECIDER });
    await store.addPost(s, 'r1', 'post-2');
    await store.addPost(s, 'r1', 'post-2');
    const got = await store.getVerdict(s, 'r1');
    expect(got?.postIds).to.deep.equal(['post-1', 'post-2']);
    expect(got?.verdict.altText).to.equal('A photo of a beer bottle.');
    expect(await store.getVerdict(s, 'r2')).to.equal(undefined);
    expect(await store.addPost(sha('nothing'), 'r1', 'p')).to.equal(undefined);
  });

  it('finds the history of an image (every ruleset) and of a post', async () => {
    const s = sha('b');
    await store.putVerdict({ sha256: s, ruleset: 'r1', verdict: verdict('approve'), postId: 'p1' });
    await new Promise((r) => setTimeout(r, 5));
    await store.putVerdict({ sha256: s, ruleset: 'r2', verdict: verdict('reject'), postId: 'p2' });
    await store.putVerdict({ sha256: sha('other'), ruleset: 'r1', verdict: verdict('approve'), postId: 'p1' });
    const bySha = await store.findVerdicts({ sha256: s });
    expect(bySha.map((r) => r.ruleset)).to.deep.equal(['r2', 'r1']);
    const byPost = await store.findVerdicts({ postId: 'p1' });
    expect(byPost.map((r) => r.sha256).sort()).to.deep.equal([s, sha('other')].sort());
    expect(await store.findVerdicts({ postId: 'nobody' })).to.deep.equal([]);
  });

  it('queues one review per image + ruleset; a second request joins it with its token and post', async () => {
    const s = sha('c');
    const first = await store.requestReview({
      sha256: s,
      ruleset: 'r1',
      verdict: verdict('review'),
      imageUrl: 'https://x/a.jpg',
      postId: 'p1',
      taskToken: 't1',
      at,
      deadline,
    });
    expect(first.item).to.include({ reviewId: reviewIdFor(s, 'r1'), status: 'pending', deadline });
    expect(first.record).to.include({ decision: 'review', decidedBy: POLICY_DECIDER, reviewId: first.item.reviewId });
    const second = await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), postId: 'p2', taskToken: 't2', at, deadline });
    // The tokens are stored apart from the item (what people, pages and the publisher read), counted on it.
    expect(second.item).to.include({ waitingExecutions: 2 });
    expect(JSON.stringify(second.item)).not.to.match(/"t[12]"/);
    expect(await store.taskTokens(first.item.reviewId)).to.have.members(['t1', 't2']);
    // A retried RequestReview brings the same token again: it is stored and counted once.
    const retried = await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), postId: 'p2', taskToken: 't2', at, deadline });
    expect(retried.item).to.include({ waitingExecutions: 2 });
    expect(await store.taskTokens(first.item.reviewId)).to.have.members(['t1', 't2']);
    expect(JSON.stringify(await store.getReview(first.item.reviewId))).not.to.match(/"t[12]"/);
    expect(JSON.stringify(await store.listReviews())).not.to.match(/"t[12]"/);
    expect(await store.taskTokens('rv-missing')).to.deep.equal([]);
    expect(second.item.postIds).to.deep.equal(['p1', 'p2']);
    expect((await store.listReviews({ status: 'pending' })).map((i) => i.reviewId)).to.deep.equal([first.item.reviewId]);
    expect(await store.getReview('rv-missing')).to.equal(undefined);
  });

  it('keeps the posts a review was requested for with their relevance; the same post asking again replaces its entry', async () => {
    const s = sha('posts');
    const relevance = (score: number) => ({ score, matches: [], engine: 'e', explanation: `score ${score}` });
    const ask = (postId: string | undefined, title: string, score: number) =>
      store.requestReview({
        sha256: s,
        ruleset: 'r1',
        verdict: verdict('review'),
        postId,
        post: { ...(postId ? { postId } : {}), title, relevance: relevance(score) },
        at,
        deadline,
      });
    expect((await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), at, deadline })).item).not.to.have.property('posts');
    await ask('p1', 'Beer', 0.5);
    await ask(undefined, 'Bottles', 0.25);
    const { item } = await ask('p1', 'Beer, again', 0.75);
    expect(item.posts!.map((p) => [p.postId, p.title, p.relevance.score])).to.deep.equal([
      [undefined, 'Bottles', 0.25],
      ['p1', 'Beer, again', 0.75],
    ]);
    expect((await store.getReview(item.reviewId))!.posts).to.deep.equal(item.posts);
  });

  it('a decision updates the item and the verdict record together; twice is fine, the other way is ReviewConflict', async () => {
    const s = sha('d');
    const { item } = await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), postId: 'p1', at, deadline });
    const d = await store.decideReview(item.reviewId, { decision: 'approve', by: 'Alice', note: 'a bottle on a shelf, fine', at });
    expect(d.changed).to.equal(true);
    expect(d.item).to.include({ status: 'approved', decidedBy: 'Alice' });
    expect(d.record).to.include({ decision: 'approve', decidedBy: 'Alice', note: 'a bottle on a shelf, fine', reviewId: item.reviewId });
    expect(d.record.verdict.reasons[0]).to.include({ code: 'moderator-approve' });
    expect((await store.getVerdict(s, 'r1'))?.decidedBy).to.equal('Alice');

    const again = await store.decideReview(item.reviewId, { decision: 'approve', by: 'Bob', at });
    expect(again.changed).to.equal(false);
    expect(again.record.decidedBy).to.equal('Alice');

    let err: unknown;
    try {
      await store.decideReview(item.reviewId, { decision: 'reject', by: 'Bob', at });
    } catch (e) {
      err = e;
    }
    expect((err as Error)?.name).to.equal('ReviewConflict');
    expect((await store.getVerdict(s, 'r1'))?.decision).to.equal('approve');
    expect((await store.listReviews({ status: 'pending' })).length).to.equal(0);
  });

  it('never lets a later policy verdict replace a moderator decision', async () => {
    const s = sha('e');
    const { item } = await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), at, deadline });
    await store.decideReview(item.reviewId, { decision: 'reject', by: 'Alice', at });
    const after = await store.putVerdict({ sha256: s, ruleset: 'r1', verdict: verdict('approve'), postId: 'p9' });
    expect(after).to.include({ decision: 'reject', decidedBy: 'Alice' });
    expect(after.postIds).to.include('p9');
  });

  it('names an unknown review, a bad moderator name and the reserved name "policy"', async () => {
    const names: string[] = [];
    for (const f of [
      () => store.decideReview('rv-nope', { decision: 'approve', by: 'Alice', at }),
      async () => {
        const { item } = await store.requestReview({ sha256: sha('f'), ruleset: 'r1', verdict: verdict('review'), at, deadline });
        return store.decideReview(item.reviewId, { decision: 'approve', by: 'policy', at });
      },
      () => store.decideReview(reviewIdFor(sha('f'), 'r1'), { decision: 'approve', by: '<script>', at }),
    ]) {
      try {
        await f();
        names.push('no error');
      } catch (e) {
        names.push((e as Error).name);
      }
    }
    expect(names).to.deep.equal(['ReviewNotFound', 'InvalidInput', 'InvalidInput']);
    expect((await store.getReview(reviewIdFor(sha('f'), 'r1')))?.status).to.equal('pending');
  });

  it('expires a pending review; the photo coming back reopens it; a late decision is still recorded', async () => {
    const s = sha('g');
    const { item } = await store.requestReview({ sha256: s, ruleset: 'r1', verdict: verdict('review'), taskToken: 'old', at, deadline });
    const ended = await store.expireReview(item.reviewId, deadline);
    expect(ended?.item.status).to.equal('expired');
    expect(ended?.changed).to.equal(true);
    expect((await store.expireReview(item.reviewId, deadline))?.changed, 'expiring twice changes nothing').to.equal(false);
    expect(await store.expireReview('rv-missing', deadline)).to.equal(undefined);
    const reopened = await store.requestReview({
      sha256: s,
      ruleset: 'r1',
      verdict: verdict('review'),
      taskToken: 'new',
      at: deadline,
      deadline: '2026-12-04T04:00:00.000Z',
    });
    expect(reopened.item).to.include({ status: 'pending', deadline: '2026-12-04T04:00:00.000Z' });
    // The old opening's execution ended: only the new one waits (its token, a count of one).
    expect(reopened.item).to.include({ waitingExecutions: 1, round: 1 });
    expect(await store.taskTokens(item.reviewId)).to.deep.equal(['new']);
    expect((await store.expireReview(item.reviewId, deadline))?.changed).to.equal(true);
    const late = await store.decideReview(item.reviewId, { decision: 'approve', by: 'Alice', at });
    expect(late.record.decidedBy).to.equal('Alice');
    await store.markDelivered(item.reviewId, at);
    expect((await store.getReview(item.reviewId))?.deliveredAt).to.equal(at);
  });

  it('lists the pending reviews due by a time, earliest deadline first, and none that are decided, expired or not yet due', async () => {
    const open = async (name: string, due: string) =>
      (await store.requestReview({ sha256: sha(name), ruleset: 'r1', verdict: verdict('review'), at, deadline: due })).item.reviewId;
    const late = await open('due-late', '2026-12-02T05:00:00.000Z');
    const early = await open('due-early', '2026-12-02T04:30:00.000Z');
    const decided = await open('due-decided', '2026-12-02T04:10:00.000Z');
    const expired = await open('due-expired', '2026-12-02T04:20:00.000Z');
    await open('not-due', '2026-12-02T06:00:00.000Z');
    await store.decideReview(decided, { decision: 'approve', by: 'Alice', at });
    await store.expireReview(expired, at);
    const now = '2026-12-02T05:00:00.000Z';
    expect((await store.listDueReviews(now, 100)).map((i) => i.reviewId)).to.deep.equal([early, late]);
    expect(await store.listDueReviews('2026-12-02T04:00:00.000Z', 100)).to.deep.equal([]);
    expect(await store.listDueReviews(now, 1)).to.have.length(1);
  });

  it('finds a moderator-decided near-duplicate through the band index (any band within one bit), not a policy verdict, not another ruleset', async () => {
    const h = { pHash: '8f3a55c01e7b9d24', dHash: '0f0f33cc55aa9966', innerPHash: 'f0f0f0f00f0f0f0f', innerDHash: '0f0f33cc55aa9967' };
    const image = { uri: 'file:///x.jpg', key: 'k', sha256: sha('decided'), bytes: 1, format: 'jpeg' as const, width: 1, height: 1, perceptualHashes: h };
    const { item } = await store.requestReview({ sha256: sha('decided'), ruleset: 'r1', verdict: verdict('review', { image }), at, deadline });
    await store.decideReview(item.reviewId, { decision: 'reject', by: 'Alice', at });
    await store.putVerdict({ sha256: sha('policy'), ruleset: 'r1', verdict: verdict('approve', { image: { ...image, sha256: sha('policy') } }) });
    // 6 bits differ, spread over every band (each band 1 or 2 bits off): the probes still reach it.
    const copy = { ...h, pHash: '8f3b55c31e7a9d27' };
    const found = await store.findNearDuplicates(copy, ['r1']);
    expect(found.map((f) => f.record.sha256)).to.deep.equal([sha('decided')]);
    expect(found[0].record).to.include({ decision: 'reject', decidedBy: 'Alice' });
    expect(found[0].match.distance).to.equal(6);
    expect(await store.findNearDuplicates(copy, ['r2'])).to.deep.equal([]);
    // A different picture (many bits in every band) is not a candidate.
    expect(await store.findNearDuplicates({ ...h, pHash: '70c5aa3fe18462db', innerPHash: '70c5aa3fe18462db' }, ['r1'])).to.deep.equal([]);
  });
}
