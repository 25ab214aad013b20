// `npm run review` against a deployed stack: the table is a real DynamoDB-compatible server (dynalite on
// loopback, real SDK); Step Functions' SendTaskSuccess is answered by aws-sdk-client-mock (no Step
// Functions emulator installs from npm). The review step itself (functions/verdicts/) queues the item.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { sfnTaskCallbacks } from '../../functions/verdicts/deliver.js';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { reviewMessage } from '../../functions/verdicts/notify.js';
import { reviewMain, type ReviewBackends } from '../../cli/review.js';
import { captureIo } from '../workflow/fixtures.js';
import { createVerdictTable, startDynalite, type Dynalite } from './dynalite.js';
import { sha, verdict } from './store-contract.js';
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:blog-image-moderation-dev-moderation';

describe('npm run review against a stack (dynalite table, SendTaskSuccess via aws-sdk-client-mock)', function () {
  this.timeout(60_000);
  let db: Dynalite;
  let client: DynamoDBClient;
  let sfn: AwsClientStub<SFNClient>;
  let table: string;
  let n = 0;
  const notified: string[] = [];

  const backends: ReviewBackends = {
    openStore: async (config) => DynamoVerdictStore.open((config as { table: string }).table, client),
    callbacks: (region) => sfnTaskCallbacks(region),
    stackOutputs: async () => ({ verdictTableName: table, stateMachineArn: SM }),
  };
  const review = async (...argv: string[]) => {
    const io = captureIo();
    const code = await reviewMain([...argv, '--stack'], io, backends);
    return { code, out: io.out(), err: io.err() };
  };
  /** The RequestReview task as the state machine calls it in STANDARD, with its task token. */
  const requestReview = async (token: string, postId: string) => {
    const store = await DynamoVerdictStore.open(table, client);
    const step = createVerdictStepHandler({ store, notifier: { notify: async (item) => void notified.push(reviewMessage(item).body) } });
    const image = {
      uri: 's3://staging/x.jpeg',
      bucket: 'staging',
      key: 'staging/x.jpeg',
      sha256: sha('remote-photo'),
      bytes: 1,
      format: 'jpeg',
      width: 1,
      height: 1,
    };
    return (await step({
      action: 'requestReview',
      ruleset: 'r1',
      verdict: verdict('review', { image } as Partial<Verdict>),
      input: { imageUrl: 'https://blog.example.com/a.jpg', postId },
      timeoutSeconds: 3600,
      taskToken: token,
    })) as Verdict;
  };

  before(async () => {
    db = await startDynalite();
    client = db.client;
  });
  after(async () => db.close());
  beforeEach(async () => {
    sfn = mockClient(SFNClient);
    notified.length = 0;
    table = `remote-${++n}`;
    await createVerdictTable(client, table);
  });
  afterEach(() => sfn.restore());

  it('approves: records the decision, resumes both waiting executions once with the moderator verdict, never again', async () => {
    const first = await requestReview('token-1', 'post-1');
    await requestReview('token-2', 'post-2');
    expect(notified).to.have.length(1);
    expect(notified[0]).to.include(first.reviewId!).and.not.to.include('token-1');
    sfn.on(SendTaskSuccessCommand).resolves({});

    const list = await review('list', '--json');
    expect(list.code, list.err).to.equal(0);
    const items = JSON.parse(list.out) as Array<{ reviewId: string; waitingExecutions: number }>;
    expect(items).to.have.length(1);
    expect(items[0]).to.include({ reviewId: first.reviewId, waitingExecutions: 2 });
    expect(list.out).not.to.include('token-1');

    // Opening the item tells both waiting executions a person is on it (HeartbeatSeconds starts again).
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    const shown = await review('show', first.reviewId!);
    expect(shown.code, shown.err).to.equal(0);
    expect(shown.out).to.include('heartbeat sent to 2 waiting executions').and.not.to.include('token-');
    expect(sfn.commandCalls(SendTaskHeartbeatCommand).map((c) => c.args[0].input.taskToken)).to.have.members(['token-1', 'token-2']);

    const approved = await review('approve', first.reviewId!, '--as', 'Alice', '--note', 'fine');
    expect(approved.code, approved.err).to.equal(0);
    expect(approved.out).to.match(/approved by Alice; 2 waiting executions resumed/);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls.map((c) => c.args[0].input.taskToken)).to.have.members(['token-1', 'token-2']);
    const output = JSON.parse(calls[0].args[0].input.output!) as Verdict;
    expect(output).to.include({ decision: 'approve', decidedBy: 'Alice', note: 'fine', reviewId: first.reviewId });

    const again = await review('approve', first.reviewId!, '--as', 'Alice');
    expect(again.code, again.err).to.equal(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).to.have.length(2);
    const conflict = await review('reject', first.reviewId!, '--as', 'Bob');
    expect(conflict.code).to.equal(1);
    expect(conflict.err).to.match(/ReviewConflict/);

    const store = await DynamoVerdictStore.open(table, client);
    expect(await store.getVerdict(sha('remote-photo'), 'r1')).to.include({ decision: 'approve', decidedBy: 'Alice' });
  });

  it('names a stale token: the decision is recorded, the execution had already ended', async () => {
    const { reviewId } = await requestReview('token-old', 'post-1');
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const res = await review('reject', reviewId!, '--as', 'Alice');
    expect(res.code).to.equal(1);
    expect(res.err).to.match(/StaleReviewToken: Review rv-[0-9a-f]+ is recorded as reject by Alice, but Step Functions refused its task token/);
    const store = await DynamoVerdictStore.open(table, client);
    expect(await store.getVerdict(sha('remote-photo'), 'r1')).to.include({ decision: 'reject', decidedBy: 'Alice' });
    // Deciding the same again does not retry the refused token.
    const again = await review('reject', reviewId!, '--as', 'Alice');
    expect(again.code, again.err).to.equal(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).to.have.length(1);
  });
});
