// No human decision is lost to the store: a photo used by hundreds of posts keeps a bounded record (the
// 400 KB item that made LookupVerdict fail on DynamoDB), and a store the workflow cannot read sends the
// image to review instead of to a fresh policy verdict. The real verdict step on the real DynamoDB SDK
// against dynalite, inside the real local engine; the other steps are the fixtures' stand-ins (their
// aggregate approves, which is what a fresh moderation of the photo would have answered).
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { type AggregateInput } from '../../functions/shared/contracts/index.js';
import { FAIL_SAFE_STATE_NAMES, STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { POSTS_KEPT, reviewIdFor } from '../../functions/shared/verdict-store/rules.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { buildDefinition } from '../../workflows/definition.js';
import { LocalEngine } from '../../workflows/local/engine.js';
import { STUB_RULESET, stubImage, stubRefs, stubVerdict, useStubSteps } from '../workflow/fixtures.js';
import { createVerdictTable, startDynalite, type Dynalite } from './dynalite.js';

const longPost = (i: number) => `post-${i}-`.padEnd(500, 'x');

describe('store integrity (dynalite, real verdict step, local engine)', function () {
  this.timeout(300_000);
  const stub = useStubSteps('store-integrity-');
  let db: Dynalite;
  const table = 'verdicts-integrity';

  before(async () => {
    db = await startDynalite();
  });
  after(async () => db?.close());
  beforeEach(async () => createVerdictTable(db.client, table));
  afterEach(async () => {
    await db.client.send(new DeleteTableCommand({ TableName: table }));
  });

  const engineOn = (store: DynamoVerdictStore) => {
    let analysed = 0;
    const engine = new LocalEngine(buildDefinition(stubRefs()), {
      handlers: stub.handlers({
        classify: async () => {
          analysed++;
          return { labels: [], model: { name: 'm', sha256: 's' } };
        },
        aggregate: async (p) => {
          const a = p as AggregateInput;
          if (a.error) return stubVerdict('review', { reasons: [{ code: 'step-failed', error: a.error.Error, message: `${a.error.state}` }] });
          return stubVerdict('approve', { image: a.image });
        },
        verdicts: async (p) => createVerdictStepHandler({ store })(p),
      }),
    });
    return { engine, analysed: () => analysed };
  };

  // The real verdict passed 400 KB at 811 posts; this stand-in verdict is smaller, so 850.
  const POSTS = 850;

  it(`keeps the moderator's reject after ${POSTS} posts of 500-character ids (past the 400 KB item limit), and every post stays linked`, async () => {
    const store = await DynamoVerdictStore.open(table, db.client);
    const at = new Date().toISOString();
    await store.requestReview({
      sha256: stubImage.sha256,
      ruleset: STUB_RULESET,
      verdict: stubVerdict('review', { image: stubImage }),
      postId: longPost(0),
      at,
      deadline: at,
    });
    await store.decideReview(reviewIdFor(stubImage.sha256, STUB_RULESET), { decision: 'reject', by: 'Alice', note: 'no alcohol on this blog', at });

    const { engine, analysed } = engineOn(store);
    for (let i = 1; i <= POSTS; i++) {
      const run = await engine.run({ imageUrl: 'https://example.com/wine.jpg', postId: longPost(i) });
      if (run.status !== STATE_NAMES.rejected || run.verdict.decidedBy !== 'Alice') {
        expect.fail(`post ${i}: ${run.status} decided by ${run.verdict.decidedBy} (${run.path.join(' > ')})`);
      }
    }
    expect(analysed()).to.equal(0);

    const raw = await DynamoDBDocumentClient.from(db.client).send(
      new GetCommand({ TableName: table, Key: { pk: `IMG#${stubImage.sha256}`, sk: `V#${STUB_RULESET}` } }),
    );
    expect(JSON.stringify(raw.Item).length).to.be.below(40_000);
    const record = await store.getVerdict(stubImage.sha256, STUB_RULESET);
    expect(record).to.include({ decision: 'reject', decidedBy: 'Alice' });
    expect(record!.postIds).to.have.length(POSTS_KEPT);
    expect(record!.postIds.at(-1)).to.equal(longPost(POSTS));
    // Posts that left the record's list are still linked to it.
    expect((await store.findVerdicts({ postId: longPost(3) }))[0]).to.include({ decision: 'reject', decidedBy: 'Alice' });
    await store.close();
  });

  it('a store LookupVerdict cannot reach ends in review as VerdictStoreFailed, never a fresh verdict', async () => {
    const gone = await startDynalite();
    await createVerdictTable(gone.client, table);
    const client = new DynamoDBClient({
      endpoint: gone.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 2,
    });
    const store = await DynamoVerdictStore.open(table, client);
    await gone.close();
    // The store went away after start-up: the step fails, named.
    const { engine, analysed } = engineOn(store);
    const run = await engine.run({ imageUrl: 'https://example.com/wine.jpg', postId: 'p1' });
    expect(run.status).to.equal(STATE_NAMES.review);
    expect(run.path).to.include.members([FAIL_SAFE_STATE_NAMES.lookupFailed, FAIL_SAFE_STATE_NAMES.verdict]);
    expect(run.path).not.to.include(STATE_NAMES.analyze);
    expect(analysed()).to.equal(0);
    expect(run.verdict.reasons[0]).to.include({ code: 'step-failed', error: 'VerdictStoreFailed' });
    client.destroy();
  });
});
