// The publisher client's verdict-store side: getVerdict by image or post, waiting out a review. The
// table is dynalite (real SDK over loopback HTTP); Step Functions is answered by aws-sdk-client-mock.
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import type { StagedImage, Verdict } from '../../functions/shared/contracts/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { expireDueReviews } from '../../functions/verdicts/expiry.js';
import { ModerationClient } from '../../client/index.js';
import { decideReview } from '../../functions/verdicts/decide.js';
import { createVerdictTable, startDynalite, type Dynalite } from '../verdicts/dynalite.js';
import { sha, verdict } from '../verdicts/store-contract.js';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:blog-image-moderation-dev-moderation';
const EXEC = 'arn:aws:states:us-east-1:123456789012:execution:blog-image-moderation-dev-moderation:p1-abc';
const image = (s: string): StagedImage => ({ uri: 's3://b/k', bucket: 'b', key: 'k', sha256: s, bytes: 1, format: 'jpeg', width: 1, height: 1 });

describe('client: getVerdict and waiting out a review (dynalite + aws-sdk-client-mock)', function () {
  this.timeout(30_000);
  let db: Dynalite;
  let store: DynamoVerdictStore;
  let sfn: AwsClientStub<SFNClient>;
  let n = 0;
  const client = (type: 'STANDARD' | 'EXPRESS' = 'STANDARD', ruleset?: string) =>
    new ModerationClient({ stateMachineArn: SM, type, client: new SFNClient({ region: 'us-east-1' }), verdicts: store, ruleset });

  before(async () => {
    db = await startDynalite();
  });
  after(async () => db.close());
  beforeEach(async () => {
    const table = `client-${++n}`;
    await createVerdictTable(db.client, table);
    store = await DynamoVerdictStore.open(table, db.client);
    sfn = mockClient(SFNClient);
  });
  afterEach(() => sfn.restore());

  it('getVerdict answers by sha256 or postId, newest first, under the client ruleset', async () => {
    await store.putVerdict({ sha256: sha('a'), ruleset: 'old', verdict: verdict('reject', { image: image(sha('a')) }), postId: 'p1' });
    await new Promise((r) => setTimeout(r, 5));
    await store.putVerdict({ sha256: sha('a'), ruleset: 'new', verdict: verdict('approve', { image: image(sha('a')) }), postId: 'p2' });
    expect(await client().getVerdict({ sha256: sha('a') })).to.include({ decision: 'approve', decidedBy: 'policy' });
    expect(await client('STANDARD', 'old').getVerdict({ sha256: sha('a') })).to.include({ decision: 'reject' });
    expect(await client().getVerdict({ postId: 'p1' })).to.include({ decision: 'reject' });
    expect(await client().getVerdict({ postId: 'nobody' })).to.equal(undefined);
  });

  it('waitForVerdict keeps waiting past its own deadline while a person reviews the post, and returns their decision', async () => {
    const { item } = await store.requestReview({
      sha256: sha('b'),
      ruleset: 'r',
      verdict: verdict('review', { image: image(sha('b')) }),
      postId: 'p1',
      taskToken: 't',
      at: new Date().toISOString(),
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    let decided: Verdict | undefined;
    sfn
      .on(DescribeExecutionCommand)
      .callsFake(async () =>
        decided
          ? { status: 'SUCCEEDED', input: JSON.stringify({ imageUrl: 'https://x/b.jpg', postId: 'p1' }), output: JSON.stringify(decided) }
          : { status: 'RUNNING', input: JSON.stringify({ imageUrl: 'https://x/b.jpg', postId: 'p1' }) },
      );
    // The moderator decides after the caller's own 300 ms deadline; SendTaskSuccess resumes the execution.
    setTimeout(() => {
      void decideReview({ store, callbacks: { sendSuccess: async (_t, output) => void (decided = output as Verdict) } }, item.reviewId, {
        decision: 'approve',
        by: 'Alice',
      });
    }, 800);
    const v = await client().waitForVerdict(EXEC, { deadlineMs: 300, initialDelayMs: 50, maxDelayMs: 100 });
    expect(v).to.include({ decision: 'approve', decidedBy: 'Alice', reviewId: item.reviewId });
  });

  it('waitForVerdict without a pending review gives up at its deadline (VerdictTimeout)', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify({ imageUrl: 'https://x/c.jpg', postId: 'p-none' }) });
    try {
      await client().waitForVerdict(EXEC, { deadlineMs: 200, initialDelayMs: 20, maxDelayMs: 40 });
      expect.fail('expected VerdictTimeout');
    } catch (e) {
      expect((e as Error).name).to.equal('VerdictTimeout');
    }
  });

  it('waitForReview returns a queued review (EXPRESS, local) once decided, and names one still pending past its deadline and grace (nothing swept it)', async () => {
    const at = new Date().toISOString();
    const { item } = await store.requestReview({
      sha256: sha('d'),
      ruleset: 'r',
      verdict: verdict('review', { image: image(sha('d')) }),
      postId: 'p4',
      at,
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    setTimeout(() => void decideReview({ store }, item.reviewId, { decision: 'reject', by: 'Bob', note: 'label visible' }), 200);
    expect(await client('EXPRESS').waitForReview(item.reviewId, { initialDelayMs: 50, maxDelayMs: 100 })).to.include({
      decision: 'reject',
      decidedBy: 'Bob',
      note: 'label visible',
    });

    const late = await store.requestReview({
      sha256: sha('e'),
      ruleset: 'r',
      verdict: verdict('review', { image: image(sha('e')) }),
      at,
      deadline: new Date(Date.now() + 150).toISOString(),
    });
    try {
      await client('EXPRESS').waitForReview(late.item.reviewId, { initialDelayMs: 50, maxDelayMs: 100, graceMs: 100 });
      expect.fail('expected VerdictTimeout');
    } catch (e) {
      expect((e as Error).name).to.equal('VerdictTimeout');
    }
  });
});

describe('client: waiting through a review that expires (SQLite store on a real file)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: SqliteVerdictStore;
  let sfn: AwsClientStub<SFNClient>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'client-expiry-'));
    store = await SqliteVerdictStore.open(dir);
    sfn = mockClient(SFNClient);
  });
  afterEach(async () => {
    sfn.restore();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('waitForVerdict ends when the review expires, with the timeout outcome (never approve), even while the execution still runs', async () => {
    const { item } = await store.requestReview({
      sha256: sha('x'),
      ruleset: 'r',
      verdict: verdict('review', { image: image(sha('x')) }),
      postId: 'p-x',
      at: new Date().toISOString(),
      deadline: new Date(Date.now() + 300).toISOString(),
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify({ imageUrl: 'https://x/x.jpg', postId: 'p-x' }) });
    // The sweep (npm run review -- expire locally, the schedule in EXPRESS stacks) runs after the deadline.
    setTimeout(() => void expireDueReviews({ store }, { outcome: 'reject' }), 600);
    const client = new ModerationClient({ stateMachineArn: SM, client: new SFNClient({ region: 'us-east-1' }), verdicts: store, ruleset: 'r' });
    const v = await client.waitForVerdict(EXEC, { deadlineMs: 100, initialDelayMs: 20, maxDelayMs: 50 });
    expect(v).to.include({ decision: 'reject', decidedBy: 'policy', reviewId: item.reviewId });
    expect(v.reasons[0]).to.include({ code: 'review-expired' });
  });

  it('waitForReview returns the outcome of a review that had already expired, and a later moderator decision once made', async () => {
    const { item } = await store.requestReview({
      sha256: sha('y'),
      ruleset: 'r',
      verdict: verdict('review', { image: image(sha('y')) }),
      at: new Date().toISOString(),
      deadline: new Date(Date.now() - 1000).toISOString(),
    });
    await expireDueReviews({ store }, { outcome: 'review' });
    const client = new ModerationClient({ stateMachineArn: SM, type: 'EXPRESS', verdicts: store });
    expect(await client.waitForReview(item.reviewId, { initialDelayMs: 20 })).to.include({ decision: 'review', reviewId: item.reviewId });
    await decideReview({ store }, item.reviewId, { decision: 'approve', by: 'Late Larry' });
    expect(await client.waitForReview(item.reviewId, { initialDelayMs: 20 })).to.include({ decision: 'approve', decidedBy: 'Late Larry' });
  });
});
