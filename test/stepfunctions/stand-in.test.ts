// The Step Functions stand-in is a test double of AWS: these check it refuses what Step Functions
// documents it refuses, with the same error names the real @aws-sdk/client-sfn raises, and that what it
// runs is the real local workflow on real photos.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  StateMachineTypeNotSupported,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { MAX_INPUT_BYTES } from './stand-in.js';
import { standInClient, startStackFixture, type StackFixture } from './fixtures.js';

const ZEBRA = 'imagenet-sample/n02391049_zebra.JPEG';
// Held for review by the nudity models (Sexy): on a STANDARD stack its execution waits for a person.
const BASKETBALL = 'calibration/n02802426_basketball.JPEG';

async function refusal(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected Step Functions to refuse');
}

describe('Step Functions stand-in (test double of AWS, the real local workflow behind it)', function () {
  this.timeout(300_000);
  let fx: StackFixture;
  let sfn: SFNClient;
  before(async () => {
    fx = await startStackFixture([ZEBRA, BASKETBALL], { waitForReview: true });
    sfn = standInClient(fx.standIn);
  });
  after(async () => {
    sfn?.destroy();
    await fx?.close();
  });
  const input = (file: string, postId = 'contract') => JSON.stringify({ imageUrl: new URL(file, fx.baseUrl).href, postId });
  const start = (name: string, body: string, stateMachineArn = fx.standIn.stateMachineArn) =>
    sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: body }));

  it('refuses a name outside 1-80 characters of the allowed set with InvalidName', async () => {
    for (const name of ['', 'x'.repeat(81), 'has space', 'slash/name', 'colon:name', 'star*', 'brace{', 'tab\tname', 'hash#']) {
      const err = await refusal(start(name, input(ZEBRA)));
      expect(err, JSON.stringify(name)).to.be.instanceOf(InvalidName);
      expect(err.$metadata?.httpStatusCode).to.equal(400);
    }
    expect(fx.standIn.executions.size).to.equal(0);
  });

  it('refuses input that is not JSON (InvalidExecutionInput) or over 256 KiB (ValidationException)', async () => {
    expect(await refusal(start('not-json', '{"imageUrl":'))).to.be.instanceOf(InvalidExecutionInput);
    const big = JSON.stringify({ imageUrl: 'https://example.com/a.jpg', pad: 'x'.repeat(MAX_INPUT_BYTES) });
    const err = await refusal(start('too-big', big));
    expect(err.name).to.equal('ValidationException');
    expect(err.message).to.include('262144');
    // Exactly at the cap is accepted: the limit is on UTF-8 bytes, not more.
    const atCap = JSON.stringify({ imageUrl: new URL(ZEBRA, fx.baseUrl).href, postId: 'cap', pad: '' });
    const padded = atCap.replace('"pad":""', `"pad":"${'x'.repeat(MAX_INPUT_BYTES - Buffer.byteLength(atCap))}"`);
    expect(Buffer.byteLength(padded)).to.equal(MAX_INPUT_BYTES);
    expect((await start('at-cap', padded)).executionArn).to.match(/:execution:[^:]+:at-cap$/);
  });

  it('answers StateMachineDoesNotExist for an unknown state machine and InvalidArn for a malformed one', async () => {
    expect(await refusal(start('a', input(ZEBRA), fx.standIn.stateMachineArn.replace(/[^:]+$/, 'other')))).to.be.instanceOf(StateMachineDoesNotExist);
    expect(await refusal(start('a', input(ZEBRA), 'arn:aws:states:us-east-1:123456789012:activity:x'))).to.be.instanceOf(InvalidArn);
    const missing = `${fx.standIn.stateMachineArn.replace(':stateMachine:', ':execution:')}:never-started`;
    expect(await refusal(sfn.send(new DescribeExecutionCommand({ executionArn: missing })))).to.be.instanceOf(ExecutionDoesNotExist);
  });

  it('reuses a running execution for the same name and input, refuses other input, and keeps a closed name taken', async () => {
    const held = await start('held', input(BASKETBALL));
    await fx.standIn.executions.get(held.executionArn!)!.done;
    // The policy held it: like RequestReview's task token, the execution keeps running for a person.
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: held.executionArn }))).status).to.equal('RUNNING');
    expect((await start('held', input(BASKETBALL))).executionArn).to.equal(held.executionArn);
    expect(await refusal(start('held', input(BASKETBALL, 'another-post')))).to.be.instanceOf(ExecutionAlreadyExists);

    const zebra = await start('zebra', input(ZEBRA));
    await fx.standIn.executions.get(zebra.executionArn!)!.done;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: zebra.executionArn }));
    expect(described.status).to.equal('SUCCEEDED');
    expect(described.startDate).to.be.instanceOf(Date);
    // The real workflow's verdict on the real photo.
    const verdict = JSON.parse(described.output!);
    expect(verdict.decision).to.equal('approve');
    expect(verdict.labels[0].label).to.match(/zebra/);
    expect(fx.hits).to.include(ZEBRA);
    expect(await refusal(start('zebra', input(ZEBRA)))).to.be.instanceOf(ExecutionAlreadyExists);
  });

  it('serves StartSyncExecution to EXPRESS state machines only', async () => {
    const err = await refusal(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: fx.standIn.stateMachineArn, name: 'sync', input: input(ZEBRA) })));
    expect(err).to.be.instanceOf(StateMachineTypeNotSupported);
  });

  it('refuses an unsigned request as AWS does', async () => {
    const res = await fetch(fx.standIn.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      body: JSON.stringify({ stateMachineArn: fx.standIn.stateMachineArn, name: 'unsigned', input: input(ZEBRA) }),
    });
    expect(res.status).to.equal(403);
    expect(((await res.json()) as { __type: string }).__type).to.match(/MissingAuthenticationToken/);
  });
});
