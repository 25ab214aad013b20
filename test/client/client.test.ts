import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { ExecutionConflict, InvalidInput, ModerationExecutionFailed, VerdictTimeout } from '../../functions/shared/errors.js';
import { executionName, ModerationClient } from '../../client/index.js';

const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:blog-image-moderation-dev-moderation';
const verdict: Verdict = {
  decision: 'approve',
  reasons: [{ code: 'clean', message: 'ok' }],
  seoTags: ['zebra'],
  altText: 'A photo of a zebra.',
  labels: [],
  moderation: [],
};
const request = { imageUrl: 'https://blog.example.com/img/zebra.jpg', postId: 'post 42/draft' };

describe('client (aws-sdk-client-mock against the real client)', () => {
  let sfn: AwsClientStub<SFNClient>;
  beforeEach(() => {
    sfn = mockClient(SFNClient);
  });
  afterEach(() => sfn.restore());
  const client = (type?: 'STANDARD' | 'EXPRESS') => new ModerationClient({ stateMachineArn: SM, type, client: new SFNClient({ region: 'eu-west-1' }) });

  it('derives a deterministic, valid execution name from postId + image', () => {
    const a = executionName(request);
    expect(a).to.equal(executionName({ ...request }));
    expect(a).to.match(/^[A-Za-z0-9_-]{1,80}$/);
    expect(a.startsWith('post-42-draft-')).to.equal(true);
    expect(executionName({ ...request, imageUrl: `${request.imageUrl}?v=2` })).not.to.equal(a);
    expect(executionName({ ...request, postId: 'post 43' })).not.to.equal(a);
    expect(executionName({ imageUrl: 'x'.repeat(5000), postId: 'p'.repeat(500) }).length).to.be.at.most(80);
  });

  it('starts an execution with the validated input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM.replace('stateMachine', 'execution')}:x`, startDate: new Date() });
    const started = await client().startModeration(request);
    expect(started.existing).to.equal(false);
    const sent = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(sent).to.deep.equal({ stateMachineArn: SM, name: executionName(request), input: JSON.stringify(request) });
    try {
      await client().startModeration({ imageUrl: '' });
      expect.fail('expected InvalidInput');
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidInput);
    }
  });

  it('returns the existing execution when the same request was already started', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: JSON.stringify(request), output: JSON.stringify(verdict) });
    const started = await client().startModeration(request);
    expect(started.existing).to.equal(true);
    expect(started.executionArn).to.equal(`arn:aws:states:eu-west-1:123456789012:execution:blog-image-moderation-dev-moderation:${executionName(request)}`);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).to.equal(started.executionArn);
  });

  it('refuses to adopt an execution of the same name for another request', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', input: JSON.stringify({ imageUrl: 'https://other.example.com/a.jpg', postId: request.postId }) });
    try {
      await client().startModeration(request);
      expect.fail('expected ExecutionConflict');
    } catch (err) {
      expect(err).to.be.instanceOf(ExecutionConflict);
    }
  });

  it('polls with backoff until the verdict, and names failures and deadlines', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(verdict) });
    const got = await client().waitForVerdict('arn:exec', { initialDelayMs: 5, maxDelayMs: 10 });
    expect(got).to.deep.equal(verdict);
    expect(sfn.commandCalls(DescribeExecutionCommand)).to.have.length(3);

    sfn.reset();
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'States.Runtime', cause: 'boom' });
    try {
      await client().waitForVerdict('arn:exec', { initialDelayMs: 1 });
      expect.fail('expected ModerationExecutionFailed');
    } catch (err) {
      expect(err).to.be.instanceOf(ModerationExecutionFailed);
      expect((err as Error).message).to.match(/FAILED: States\.Runtime/);
    }

    sfn.reset();
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    try {
      await client().waitForVerdict('arn:exec', { deadlineMs: 30, initialDelayMs: 5, maxDelayMs: 5 });
      expect.fail('expected VerdictTimeout');
    } catch (err) {
      expect(err).to.be.instanceOf(VerdictTimeout);
      expect(sfn.commandCalls(DescribeExecutionCommand).length).to.be.greaterThan(1);
    }
  });

  it('uses StartSyncExecution for EXPRESS workflows', async () => {
    sfn.on(StartSyncExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify(verdict),
      executionArn: 'arn:aws:states:eu-west-1:123456789012:express:x:y:z',
      startDate: new Date(),
      stopDate: new Date(),
    });
    const got = await client('EXPRESS').moderate(request);
    expect(got.decision).to.equal('approve');
    expect(got.executionArn).to.contain(':express:');
    expect(sfn.commandCalls(StartExecutionCommand)).to.have.length(0);
    sfn
      .on(StartSyncExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.Timeout', executionArn: 'arn:x', startDate: new Date(), stopDate: new Date() });
    try {
      await client('EXPRESS').moderate(request);
      expect.fail('expected ModerationExecutionFailed');
    } catch (err) {
      expect(err).to.be.instanceOf(ModerationExecutionFailed);
    }
  });

  it('refuses an ARN that is not a state machine', () => {
    expect(() => new ModerationClient({ stateMachineArn: 'arn:aws:lambda:us-east-1:123456789012:function:x' })).to.throw(InvalidInput, /stateMachineArn/);
  });
});
