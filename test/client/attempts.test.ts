import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { executionName, ModerationClient } from '../../client/index.js';

const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:blog-image-moderation-dev-moderation';
const request = { imageUrl: 'https://blog.example.com/img/zebra.jpg', postId: 'post 42' };
const approved: Verdict = { decision: 'approve', reasons: [{ code: 'clean', message: 'ok' }], seoTags: [], altText: '', labels: [], moderation: [] };
const failSafe: Verdict = {
  ...approved,
  decision: 'review',
  reasons: [{ code: 'step-failed', error: 'FetchTimeout', message: 'FetchTimeout in FetchImage: no answer in 10 s. A person must check this image.' }],
};
const corrupt: Verdict = { ...approved, decision: 'reject', reasons: [{ code: 'step-failed', error: 'CorruptImage', message: 'CorruptImage' }] };

interface Execution {
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: string;
}

/**
 * A stand-in for STANDARD execution names as Step Functions documents them: a name is taken for 90 days,
 * a second StartExecution with it is ExecutionAlreadyExists (even with the same input once it has
 * closed), and DescribeExecution answers what ran under it.
 */
function standardWorkflow(sfn: AwsClientStub<SFNClient>) {
  const byName = new Map<string, Execution>();
  const arnOf = (name: string) => `${SM.replace(':stateMachine:', ':execution:')}:${name}`;
  sfn.on(StartExecutionCommand).callsFake((i: { name: string; input: string }) => {
    if (byName.has(i.name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arnOf(i.name)}'`, $metadata: {} });
    byName.set(i.name, { input: i.input, status: 'RUNNING' });
    return { executionArn: arnOf(i.name), startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake((i: { executionArn: string }) => {
    const e = byName.get(i.executionArn.split(':').pop()!);
    if (!e) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    return { executionArn: i.executionArn, ...e };
  });
  const end = (name: string, status: Execution['status'], v?: Verdict) =>
    Object.assign(byName.get(name)!, { status, output: v ? JSON.stringify(v) : undefined });
  return { byName, end };
}

describe('client: re-moderation and retries start a new execution (names carry an attempt)', () => {
  let sfn: AwsClientStub<SFNClient>;
  beforeEach(() => {
    sfn = mockClient(SFNClient);
  });
  afterEach(() => sfn.restore());
  const client = () => new ModerationClient({ stateMachineArn: SM, type: 'STANDARD', client: new SFNClient({ region: 'eu-west-1' }) });

  it('a true duplicate start finds the running or finished execution and starts nothing', async () => {
    const wf = standardWorkflow(sfn);
    const first = await client().startModeration(request);
    expect(first).to.include({ name: executionName(request), existing: false });
    expect((await client().startModeration(request)).existing).to.equal(true);
    wf.end(first.name, 'SUCCEEDED', approved);
    const again = await client().startModeration(request);
    expect(again).to.deep.equal({ ...first, existing: true });
    expect(wf.byName.size).to.equal(1);
  });

  it('a retry after a fail-safe verdict (FetchTimeout) or a failed execution starts the next attempt', async () => {
    const wf = standardWorkflow(sfn);
    const first = await client().startModeration(request);
    wf.end(first.name, 'SUCCEEDED', failSafe);
    const second = await client().startModeration(request);
    expect(second).to.include({ name: executionName(request, 2), existing: false });
    wf.end(second.name, 'FAILED');
    const third = await client().startModeration(request);
    expect(third).to.include({ name: executionName(request, 3), existing: false });
    expect(third.name.length).to.be.at.most(80);
    expect(third.name).to.match(/^[A-Za-z0-9_-]+$/);
  });

  it('a bad image stays decided: a CorruptImage reject is not retried', async () => {
    const wf = standardWorkflow(sfn);
    const first = await client().startModeration(request);
    wf.end(first.name, 'SUCCEEDED', corrupt);
    expect(await client().startModeration(request)).to.deep.equal({ ...first, existing: true });
  });

  it('reModerate starts a new execution after a finished one, and a duplicate of that re-moderation finds it', async () => {
    const wf = standardWorkflow(sfn);
    const first = await client().startModeration(request);
    wf.end(first.name, 'SUCCEEDED', approved);
    const re = await client().startModeration({ ...request, reModerate: true });
    expect(re).to.include({ name: executionName(request, 2), existing: false });
    expect(await client().startModeration({ ...request, reModerate: true })).to.deep.equal({ ...re, existing: true });
    expect(wf.byName.size).to.equal(2);
  });
});
