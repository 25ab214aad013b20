// The publisher cannot read a task token: the plan's publisher policy (Pulumi mocks), evaluated by an
// IAM stand-in (iam-evaluator.ts), on the keys the real store writes and reads on dynalite. The real
// VerdictStep queues a review for two waiting executions; the publisher's own client (ModerationClient
// on a DynamoVerdictStore) reads what it reads, every request recorded off the wire.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { ModerationClient } from '../../client/index.js';
import type { StagedImage } from '../../functions/shared/contracts/index.js';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { decideReview } from '../../functions/verdicts/decide.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { createVerdictTable, startDynalite, type Dynalite } from '../verdicts/dynalite.js';
import { sha, verdict } from '../verdicts/store-contract.js';
import { oneResource as one } from './fixtures.js';
import { evaluate, type IamRequest, type PolicyStatement } from './iam-evaluator.js';

const RULESET = 'mobilenetv2-12-int8@test';
const TOKENS = ['AQCEAAAAKgAAAA-first-' + 'x'.repeat(900), 'AQCEAAAAKgAAAA-second-' + 'y'.repeat(900)];
const image: StagedImage = { uri: 'file:///staged.jpeg', key: 'staging/k.jpeg', sha256: sha('held photo'), bytes: 1, format: 'jpeg', width: 1, height: 1 };

/** What IAM sees of a DynamoDB request: its action, the table, and every partition key it reads. */
function iamRequestOf(command: string, input: Record<string, unknown>, tableArn: string): IamRequest {
  const str = (v: unknown): string => (typeof v === 'string' ? v : ((v as { S?: string })?.S ?? ''));
  const keys: string[] = [];
  if (command === 'GetItemCommand') keys.push(str((input.Key as Record<string, unknown>).pk));
  if (command === 'QueryCommand') {
    const name = /(\w+) = (:\w+)/.exec(String(input.KeyConditionExpression))!;
    keys.push(str((input.ExpressionAttributeValues as Record<string, unknown>)[name[2]]));
  }
  if (command === 'BatchGetItemCommand') {
    for (const t of Object.values(input.RequestItems as Record<string, { Keys: Array<Record<string, unknown>> }>)) keys.push(...t.Keys.map((k) => str(k.pk)));
  }
  const index = typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
  return {
    action: `dynamodb:${command.replace(/Command$/, '')}`,
    resource: `${tableArn}${index}`,
    context: keys.length ? { 'dynamodb:LeadingKeys': keys } : {},
  };
}

describe('infra + dynalite: the publisher policy reads verdicts and review items, never a task token', function () {
  this.timeout(90_000);
  let plan: StackPlan;
  let db: Dynalite;
  let publisher: PolicyStatement[];
  let tableArn: string;
  const table = 'verdicts-token-access';
  let stepStore: DynamoVerdictStore;
  let reviewId: string;

  before(async () => {
    plan = await planStack(readStackYaml('dev'), 'test-token-access');
    publisher = (JSON.parse(one(plan, 'aws:iam/policy:Policy', '-publisher').inputs.policy as string) as { Statement: PolicyStatement[] }).Statement;
    tableArn = `arn:aws:dynamodb:us-east-1:123456789012:${String(one(plan, 'aws:dynamodb/table:Table', '-verdicts').inputs.name)}`;
    db = await startDynalite();
    await createVerdictTable(db.client, table);
    stepStore = await DynamoVerdictStore.open(table, db.client);
    const step = createVerdictStepHandler({ store: stepStore });
    for (const [i, taskToken] of TOKENS.entries()) {
      // RequestReview's payload as two STANDARD executions of the same photo send it.
      await step({
        action: 'requestReview',
        ruleset: RULESET,
        verdict: verdict('review', { image }),
        input: { imageUrl: 'https://blog.example/beer.jpg', postId: `post-${i}` },
        timeoutSeconds: 3600,
        taskToken,
      });
    }
    reviewId = (await stepStore.listReviews({ status: 'pending' }))[0].reviewId;
  });
  after(async () => {
    await stepStore.close();
    await db.close();
  });

  const scan = async () => (await DynamoDBDocumentClient.from(db.client).send(new ScanCommand({ TableName: table }))).Items ?? [];

  it("keeps each waiting execution's token in an item of its own, none in the review item", async () => {
    const items = await scan();
    const review = items.filter((i) => String(i.pk).startsWith('REVIEW#'));
    expect(review).to.have.length(1);
    const raw = JSON.stringify(review[0]);
    for (const t of TOKENS) expect(raw).not.to.contain(t.slice(-40));
    expect(review[0].data).to.include({ waitingExecutions: 2 });
    const tokenItems = items.filter((i) => String(i.pk).startsWith('TOKEN#'));
    expect(tokenItems.map((i) => i.token)).to.have.members(TOKENS);
    expect(tokenItems.every((i) => i.pk === `TOKEN#${reviewId}`)).to.equal(true);
    // Every other item holds no token either (records, post links).
    for (const i of items.filter((x) => !String(x.pk).startsWith('TOKEN#'))) for (const t of TOKENS) expect(JSON.stringify(i)).not.to.contain(t.slice(-40));
  });

  it("allows every read the publisher's client makes, and denies reading a token item however it is asked", async () => {
    const seen: IamRequest[] = [];
    const { DynamoDBClient: Client } = await import('@aws-sdk/client-dynamodb');
    const client: DynamoDBClient = new Client({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(iamRequestOf(String(context.commandName), args.input as Record<string, unknown>, tableArn));
        return next(args);
      },
      { step: 'initialize', name: 'recordIamRequests' },
    );
    const store = await DynamoVerdictStore.open(table, client);
    const pub = new ModerationClient({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', verdicts: store, ruleset: RULESET });
    expect(await pub.getVerdict({ sha256: image.sha256 })).to.include({ decision: 'review', reviewId });
    expect(await pub.getVerdict({ postId: 'post-1' })).to.include({ decision: 'review', reviewId });
    // A moderator decides (their own policy); the publisher's wait for the review then reads the outcome.
    await decideReview({ store: stepStore }, reviewId, { decision: 'approve', by: 'Alice' });
    expect(await pub.waitForReview(reviewId, { initialDelayMs: 10 })).to.include({ decision: 'approve', decidedBy: 'Alice' });
    await store.close();
    client.destroy();

    expect(seen.map((r) => r.action)).to.include.members(['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query']);
    for (const r of seen) expect(evaluate(publisher, r), JSON.stringify(r)).to.equal('allow');

    const tokenPk = `TOKEN#${reviewId}`;
    const reads: IamRequest[] = [
      { action: 'dynamodb:GetItem', resource: tableArn, context: { 'dynamodb:LeadingKeys': [tokenPk] } },
      { action: 'dynamodb:Query', resource: tableArn, context: { 'dynamodb:LeadingKeys': [tokenPk] } },
      { action: 'dynamodb:BatchGetItem', resource: tableArn, context: { 'dynamodb:LeadingKeys': [`IMG#${image.sha256}`, tokenPk] } },
    ];
    for (const r of reads) expect(evaluate(publisher, r), JSON.stringify(r)).to.equal('explicit-deny');
    // Nor by reading the whole table, or a key the grant does not name (the verdict step's band index).
    expect(evaluate(publisher, { action: 'dynamodb:Scan', resource: tableArn, context: {} })).to.equal('implicit-deny');
    expect(evaluate(publisher, { action: 'dynamodb:GetItem', resource: tableArn, context: {} })).to.equal('implicit-deny');
    expect(evaluate(publisher, { action: 'dynamodb:Query', resource: tableArn, context: { 'dynamodb:LeadingKeys': ['NEAR#0#00ff'] } })).to.equal(
      'implicit-deny',
    );
  });

  it('grants the HTTP API function (which reads verdicts for the publisher) the same reads, token items denied', () => {
    const api = (JSON.parse(one(plan, 'aws:iam/rolePolicy:RolePolicy', '-api').inputs.policy as string) as { Statement: PolicyStatement[] }).Statement;
    const tokenRead: IamRequest = { action: 'dynamodb:GetItem', resource: tableArn, context: { 'dynamodb:LeadingKeys': [`TOKEN#${reviewId}`] } };
    expect(evaluate(api, tokenRead)).to.equal('explicit-deny');
    expect(evaluate(api, { ...tokenRead, context: { 'dynamodb:LeadingKeys': [`IMG#${image.sha256}`] } })).to.equal('allow');
  });
});
