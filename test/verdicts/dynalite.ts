/** dynalite (a DynamoDB-compatible server on LevelDB, from npm) on loopback, and the verdict table on it. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { VERDICT_TABLE_SCHEMA } from '../../functions/shared/verdict-store/dynamodb.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

export interface Dynalite {
  client: DynamoDBClient;
  /** http://127.0.0.1:<port>, for a process that reaches it through AWS_ENDPOINT_URL_DYNAMODB. */
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The table as infra/review.ts declares it (same key schema and status index). */
export async function createVerdictTable(client: DynamoDBClient, table: string): Promise<void> {
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
}
