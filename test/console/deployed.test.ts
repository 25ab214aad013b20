// Deployed-stack mode: executions listed from Step Functions and linked to the AWS console, the graph
// from the deployed definition (DescribeStateMachine). AWS is answered by aws-sdk-client-mock.
import { DescribeStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { awsConsoleUrl } from '../../console/server/executions.js';
import { startConsole, type RunningConsole } from '../../console/server/main.js';
import { DEPLOYED_ARN, deployedDefinition } from './fixtures.js';

const ARN = DEPLOYED_ARN;
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:blog-image-moderation-dev:post-1-abc';

describe('console against a deployed stack (--state-machine-arn, --stack)', () => {
  let dir: string;
  let running: RunningConsole | undefined;
  const sfn = mockClient(SFNClient);
  const definition = deployedDefinition();
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-deployed-'));
    sfn.reset();
    sfn.on(DescribeStateMachineCommand, { stateMachineArn: ARN }).resolves({ definition: JSON.stringify(definition) });
    sfn.on(ListExecutionsCommand, { stateMachineArn: ARN }).resolves({
      executions: [
        {
          executionArn: EXEC,
          stateMachineArn: ARN,
          name: 'post-1-abc',
          status: 'SUCCEEDED',
          startDate: new Date('2026-12-01T10:00:00Z'),
          stopDate: new Date('2026-12-01T10:00:02Z'),
        },
      ],
    });
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  after(() => sfn.restore());

  const options = { port: 0, host: '127.0.0.1', dataDir: '', stagingDir: '', evalReport: '', safetyEngine: 'local' as const, moderator: 'alice' };

  it('lists executions with links to the AWS console and draws the deployed definition', async () => {
    running = await startConsole(
      { ...options, dataDir: dir, stagingDir: dir, evalReport: path.join(dir, 'r.json'), stateMachineArn: ARN },
      { sfn: sfn as unknown as SFNClient },
    );
    const list = (await (await fetch(`${running.origin}/api/executions`, { headers: { 'X-Console-Token': running.token } })).json()) as {
      kind: string;
      executions: Array<{ id: string; status: string; totalMs: number; consoleUrl: string }>;
    };
    expect(list.kind).to.equal('deployed');
    expect(list.executions).to.have.length(1);
    expect(list.executions[0]).to.include({ id: 'post-1-abc', status: 'SUCCEEDED', totalMs: 2000 });
    expect(list.executions[0].consoleUrl).to.equal(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${encodeURIComponent(EXEC)}`,
    );
    const graph = (await (await fetch(`${running.origin}/api/graph`, { headers: { 'X-Console-Token': running.token } })).json()) as {
      nodes: Array<{ id: string }>;
    };
    expect(graph.nodes.map((n) => n.id)).to.include('CheckSafety');
    expect((await fetch(`${running.origin}/api/executions/post-1-abc`, { headers: { 'X-Console-Token': running.token } })).status).to.equal(404);
  });

  it('--stack reads the stack outputs; a stack without the output is a clear start-up error', async () => {
    running = await startConsole(
      { ...options, dataDir: dir, stagingDir: dir, evalReport: path.join(dir, 'r.json'), stack: 'dev' },
      {
        sfn: sfn as unknown as SFNClient,
        stackOutputs: async (stack) => (stack === 'dev' ? { stateMachineArn: ARN, stagingBucketName: 'staging-bucket' } : {}),
      },
    );
    const info = (await (await fetch(`${running.origin}/api/info`, { headers: { 'X-Console-Token': running.token } })).json()) as Record<string, string>;
    expect(info).to.include({ mode: 'deployed', stateMachineArn: ARN, stagingBucket: 'staging-bucket' });
    let err: Error | undefined;
    await startConsole({ ...options, dataDir: dir, stagingDir: dir, evalReport: '', stack: 'prod' }, { stackOutputs: async () => ({}) }).catch(
      (e: Error) => (err = e),
    );
    expect(err?.name).to.equal('ConfigError');
    expect(err?.message).to.match(/prod has no stateMachineArn output/);
  });

  it('builds console links for other partitions too', () => {
    expect(awsConsoleUrl('arn:aws-cn:states:cn-north-1:123456789012:execution:m:e')).to.match(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/states\/home\?region=cn-north-1#/,
    );
  });
});
