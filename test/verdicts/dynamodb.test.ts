// The DynamoDB adapter against dynalite: a DynamoDB-compatible server (LevelDB in memory) on loopback,
// spoken to by the real AWS SDK over HTTP. Same contract suite as SQLite.
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { DynamoVerdictStore, VERDICT_TABLE_SCHEMA } from '../../functions/shared/verdicts/dynamodb.js';
import { reviewIdFor } from '../../functions/shared/verdicts/rules.js';
import { sha, storeContract, verdict } from './store-contract.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => import('node:http').Server;

describe('verdict store: DynamoDB (real SDK, dynalite on loopback)', function () {
  this.timeout(60_000);
  let server: import('node:http').Server;
  let client: DynamoDBClient;
  let n = 0;
  let table: string;

  before(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  after(async () => {
    client.destroy();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    table = `verdicts-${++n}`;
    const { hashKey, rangeKey, statusIndex } = VERDICT_TABLE_SCHEMA;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [hashKey, rangeKey, statusIndex.hashKey, statusIndex.rangeKey].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: hashKey, KeyType: 'HASH' },
          { AttributeName: rangeKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: statusIndex.name,
            KeySchema: [
              { AttributeName: statusIndex.hashKey, KeyType: 'HASH' },
              { AttributeName: statusIndex.rangeKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
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
        Array.from({ length: 5 }, (_, i) => s.requestReview({ sha256: sha('photo'), ruleset: 'r1', verdict: verdict('review'), postId: `w${w}-${i}`, taskToken: `t${w}-${i}`, at, deadline: at })),
      ),
    );
    const item = await stores[0]!.getReview(reviewIdFor(sha('photo'), 'r1'));
    expect(item?.taskTokens).to.have.length(20);
    expect((await stores[0]!.getVerdict(sha('photo'), 'r1'))?.postIds).to.have.length(20);
    expect((await stores[0]!.findVerdicts({ postId: 'w3-4' }))[0]?.sha256).to.equal(sha('photo'));
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
