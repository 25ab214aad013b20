// The DynamoDB adapter against dynalite: a DynamoDB-compatible server (LevelDB in memory) on loopback,
// spoken to by the real AWS SDK over HTTP. Same contract suite as SQLite.
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { reviewIdFor } from '../../functions/shared/verdict-store/rules.js';
import { createVerdictTable, startDynalite, type Dynalite } from './dynalite.js';
import { sha, storeContract, verdict } from './store-contract.js';

describe('verdict store: DynamoDB (real SDK, dynalite on loopback)', function () {
  this.timeout(60_000);
  let db: Dynalite;
  let client: DynamoDBClient;
  let n = 0;
  let table: string;

  before(async () => {
    db = await startDynalite();
    client = db.client;
  });
  after(async () => db.close());
  beforeEach(async () => {
    table = `verdicts-${++n}`;
    await createVerdictTable(client, table);
  });
  afterEach(async () => {
    await client.send(new DeleteTableCommand({ TableName: table }));
  });

  describe('contract', () => storeContract(() => DynamoVerdictStore.open(table, client)));

  it('loses no update when many writers join one review at once (optimistic versions)', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => DynamoVerdictStore.open(table, client)));
    const at = new Date().toISOString();
    await Promise.all(
      stores.flatMap((s, w) =>
        Array.from({ length: 5 }, (_, i) =>
          s.requestReview({ sha256: sha('photo'), ruleset: 'r1', verdict: verdict('review'), postId: `w${w}-${i}`, taskToken: `t${w}-${i}`, at, deadline: at }),
        ),
      ),
    );
    const item = await stores[0].getReview(reviewIdFor(sha('photo'), 'r1'));
    expect(item?.waitingExecutions).to.equal(20);
    expect(await stores[0].taskTokens(item!.reviewId)).to.have.length(20);
    expect((await stores[0].getVerdict(sha('photo'), 'r1'))?.postIds).to.have.length(20);
    expect((await stores[0].findVerdicts({ postId: 'w3-4' }))[0]?.sha256).to.equal(sha('photo'));
  });

  it('a crash between the decided item and its record loses nothing: reads and a repeated decision repair the record', async () => {
    const store = await DynamoVerdictStore.open(table, client);
    const at = new Date().toISOString();
    const { item } = await store.requestReview({ sha256: sha('crash'), ruleset: 'r1', verdict: verdict('review'), postId: 'p1', at, deadline: at });
    // What decideReview's first write leaves if the process dies before the second: the item decided, the record still "review".
    const doc = DynamoDBDocumentClient.from(client);
    const key = { pk: `REVIEW#${item.reviewId}`, sk: 'REVIEW' };
    const raw = (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    const decided = { ...raw.data, status: 'approved', decidedBy: 'Alice', decidedAt: at };
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { ...raw, data: decided, status: 'approved', gsi1pk: 'REVIEWS#approved', version: (raw.version as number) + 1 },
      }),
    );
    expect(await store.getVerdict(sha('crash'), 'r1')).to.include({ decision: 'approve', decidedBy: 'Alice', reviewId: item.reviewId });
    const again = await store.decideReview(item.reviewId, { decision: 'approve', by: 'Alice', at });
    expect(again.changed).to.equal(false);
    expect(again.record).to.include({ decision: 'approve', decidedBy: 'Alice' });
    const stored = (await doc.send(new GetCommand({ TableName: table, Key: { pk: `IMG#${sha('crash')}`, sk: 'V#r1' } }))).Item!;
    expect(stored.data).to.include({ decision: 'approve', decidedBy: 'Alice' });
  });

  it('an item written before token items existed: its tokens are still delivered and move to token items at its next write', async () => {
    const store = await DynamoVerdictStore.open(table, client);
    const at = new Date().toISOString();
    const { item } = await store.requestReview({ sha256: sha('old'), ruleset: 'r1', verdict: verdict('review'), at, deadline: at });
    const doc = DynamoDBDocumentClient.from(client);
    const key = { pk: `REVIEW#${item.reviewId}`, sk: 'REVIEW' };
    const raw = (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    // The item as the previous version stored it: tokens inside, no count.
    const { waitingExecutions: _, ...old } = raw.data as typeof item;
    await doc.send(new PutCommand({ TableName: table, Item: { ...raw, data: { ...old, taskTokens: ['legacy-token'] } } }));

    expect(await store.getReview(item.reviewId))
      .to.include({ waitingExecutions: 1 })
      .and.not.to.have.property('taskTokens');
    expect(await store.taskTokens(item.reviewId)).to.deep.equal(['legacy-token']);
    const joined = await store.requestReview({ sha256: sha('old'), ruleset: 'r1', verdict: verdict('review'), taskToken: 'new-token', at, deadline: at });
    expect(joined.item).to.include({ waitingExecutions: 2 });
    expect(await store.taskTokens(item.reviewId)).to.have.members(['legacy-token', 'new-token']);
    const stored = (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    expect(JSON.stringify(stored)).not.to.contain('legacy-token');
  });

  it('a missing table is VerdictStoreUnavailable at open', async () => {
    try {
      await DynamoVerdictStore.open('no-such-table', client);
      expect.fail('opened');
    } catch (e) {
      expect((e as Error).name).to.equal('VerdictStoreUnavailable');
      expect((e as Error).message).to.match(/no-such-table/);
    }
  });
});
