// The human review loop, locally, with every real part: the real handlers and models on the embedded
// engine, the SQLite store on a real file, `npm start` (main) and `npm run review` (reviewMain) as
// functions. A photo held for review is approved by a moderator; the next submission answers from the
// store without running a model.
import { expect } from 'chai';
import path from 'node:path';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { main } from '../../cli/moderate.js';
import { ModerationClient } from '../../client/index.js';
import { reviewMain } from '../../cli/review.js';
import { captureIo, photo, useLocalWorkflow } from './fixtures.js';

const MODEL_STATES: string[] = [STATE_NAMES.analyze, STATE_NAMES.classify, STATE_NAMES.safety, STATE_NAMES.aggregate];

describe('review loop, locally (real models, real SQLite store, the CLIs as functions)', function () {
  this.timeout(180_000);
  const fx = useLocalWorkflow('review-loop');
  const review = fx.review;

  it('answers a re-submitted photo from the store: one fetch and one lookup, no classify, no safety', async () => {
    const first = await fx.workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), postId: 'post-1' });
    expect(first.status).to.equal(STATE_NAMES.approved);
    expect(first.verdict.decidedBy).to.equal('policy');
    for (const s of MODEL_STATES) expect(first.path, s).to.include(s);
    expect(first.path).to.include(STATE_NAMES.record);

    const again = await fx.workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), postId: 'post-2' });
    expect(again.status).to.equal(STATE_NAMES.approved);
    expect(again.path).to.deep.equal([
      STATE_NAMES.fetch,
      STATE_NAMES.lookup,
      STATE_NAMES.known,
      STATE_NAMES.recorded,
      STATE_NAMES.routeRecorded,
      STATE_NAMES.approved,
    ]);
    expect(again.verdict).to.deep.include({ decision: 'approve', decidedBy: 'policy', postId: 'post-2', altText: first.verdict.altText });
    expect(again.verdict.labels).to.deep.equal(first.verdict.labels);
    const record = await fx.workflow.verdicts.getVerdict(first.verdict.image!.sha256, fx.workflow.ruleset);
    expect(record?.postIds).to.deep.equal(['post-1', 'post-2']);
    console.log(
      `      first run ${first.path.length} states ${Math.round(first.totalMs)} ms; re-submitted ${again.path.length} states ${Math.round(again.totalMs)} ms`,
    );

    const forced = await fx.workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), reModerate: true });
    expect(forced.path).to.include(STATE_NAMES.classify);
  });

  it('holds a photo for review, a moderator approves it with npm run review, and npm start then answers approve by the moderator without a model', async () => {
    const held = await fx.workflow.run({ imageUrl: photo('n02823428_beer_bottle.JPEG'), postId: 'post-beer' });
    expect(held.status).to.equal(STATE_NAMES.review);
    expect(held.path).to.include(STATE_NAMES.requestReview);
    const reviewId = held.verdict.reviewId!;
    expect(reviewId).to.match(/^rv-[0-9a-f]{20}$/);
    expect(held.verdict.decidedBy).to.equal('policy');

    // While pending, the same photo is answered "still in review" with the same id and no model run.
    const pending = await fx.workflow.run({ imageUrl: photo('n02823428_beer_bottle.JPEG'), postId: 'post-beer-2' });
    expect(pending.status).to.equal(STATE_NAMES.review);
    expect(pending.verdict.reviewId).to.equal(reviewId);
    for (const s of MODEL_STATES) expect(pending.path, s).not.to.include(s);

    const list = await review('list', '--json');
    expect(list.code, list.err).to.equal(0);
    const items = JSON.parse(list.out) as Array<Record<string, unknown>>;
    expect(items.map((i) => i.reviewId)).to.deep.equal([reviewId]);
    expect(items[0]).to.include({ status: 'pending', imageUrl: photo('n02823428_beer_bottle.JPEG') });
    expect(items[0].postIds).to.deep.equal(['post-beer', 'post-beer-2']);
    expect(items[0]).not.to.have.property('taskTokens');

    const shown = await review('show', reviewId);
    expect(shown.out).to.include('Alcohol').and.include('beer bottle');

    const approved = await review('approve', reviewId, '--as', 'Alice Moderator', '--note', 'a bottle on a shelf, no drinking');
    expect(approved.code, approved.err).to.equal(0);
    expect(approved.out).to.match(/approved by Alice Moderator/);

    // npm start on the same file: approve, decided by the moderator, no model state ran.
    const io = captureIo({});
    const code = await main(['--json', '--data-dir', fx.dataDir, '--staging-dir', path.join(fx.tmp, 'staging'), photo('n02823428_beer_bottle.JPEG')], io);
    expect(code, io.err()).to.equal(0);
    const rec = JSON.parse(io.out().trim()) as Record<string, unknown> & { timings: Record<string, number>; reasons: Array<{ code: string }> };
    expect(rec).to.include({ decision: 'approve', status: STATE_NAMES.approved, decidedBy: 'Alice Moderator', reviewId });
    expect(rec.reasons[0].code).to.equal('moderator-approve');
    expect(Object.keys(rec.timings)).to.include.members([STATE_NAMES.fetch, STATE_NAMES.lookup]);
    for (const s of MODEL_STATES) expect(Object.keys(rec.timings), s).not.to.include(s);

    // Idempotent, then a clear conflict.
    const twice = await review('approve', reviewId, '--as', 'Bob');
    expect(twice.code, twice.err).to.equal(0);
    expect(twice.out).to.match(/already recorded/);
    const conflict = await review('reject', reviewId, '--as', 'Bob');
    expect(conflict.code).to.equal(1);
    expect(conflict.err).to.match(/ReviewConflict: Review rv-[0-9a-f]+ was already approved by Alice Moderator/);
    expect((await review('list', '--json')).out.trim()).to.equal('[]');
  });

  it('a queued review nobody decides ends at its deadline: npm run review -- expire records the outcome, the publisher client returns it, and the photo coming back is moderated again', async () => {
    const file = photo('n04243546_slot.JPEG');
    const held = await fx.workflow.run({ imageUrl: file, postId: 'post-slot' });
    expect(held.status, JSON.stringify(held.verdict.reasons)).to.equal(STATE_NAMES.review);
    const reviewId = held.verdict.reviewId!;
    const item = (await fx.workflow.verdicts.getReview(reviewId))!;
    // The deadline is REVIEW_TIMEOUT_SECONDS after the run (default: a day, the stack's default too).
    expect(Date.parse(item.deadline) - Date.parse(item.createdAt)).to.equal(86_400_000);

    const publisher = new ModerationClient({
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:local',
      verdicts: fx.workflow.verdicts,
      ruleset: fx.workflow.ruleset,
    });
    const waiting = publisher.waitForReview(reviewId, { initialDelayMs: 50, maxDelayMs: 100 });
    // A clock past the deadline, rather than waiting a day; the outcome comes from REVIEW_TIMEOUT_OUTCOME.
    const io = captureIo({ USER: 'tester', REVIEW_TIMEOUT_OUTCOME: 'reject' });
    const code = await reviewMain(['expire', '--now', new Date(Date.parse(item.deadline) + 1000).toISOString(), '--data-dir', fx.dataDir], io);
    expect(code, io.err()).to.equal(0);
    expect(io.out()).to.contain(`${reviewId}  deadline ${item.deadline}  -> reject`);

    const ended = await waiting;
    expect(ended).to.include({ decision: 'reject', decidedBy: 'policy', reviewId });
    expect(ended.reasons[0]).to.include({ code: 'review-expired' });
    expect(await publisher.getVerdict({ postId: 'post-slot' })).to.include({ decision: 'reject', reviewId });

    // Back again: as after a STANDARD timeout, the photo is moderated and queued again with a new deadline.
    const back = await fx.workflow.run({ imageUrl: file, postId: 'post-slot-2' });
    expect(back.status).to.equal(STATE_NAMES.review);
    expect(back.path).to.include(STATE_NAMES.classify);
    expect(back.verdict.reviewId).to.equal(reviewId);
    expect((await fx.workflow.verdicts.getReview(reviewId))?.status).to.equal('pending');
  });

  it('names what it cannot do: an unknown id, a bad moderator name, no command', async () => {
    const unknown = await review('approve', 'rv-00000000000000000000', '--as', 'Alice');
    expect(unknown.code).to.equal(1);
    expect(unknown.err).to.match(/ReviewNotFound/);
    const policy = await review('approve', 'rv-00000000000000000000', '--as', 'policy');
    expect(policy.code).to.equal(2);
    expect(policy.err).to.match(/reserved/);
    const badId = await review('show', '../../etc/passwd');
    expect(badId.code).to.equal(2);
    const help = await review();
    expect(help.code).to.equal(0);
    expect(help.out).to.match(/^Usage: npm run review/);
  });
});
