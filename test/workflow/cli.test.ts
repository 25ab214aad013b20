import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../cli/moderate.js';
import type { CreateLocalWorkflow } from '../../workflows/local/workflow.js';
import { captureIo, photo } from './fixtures.js';

const mustNotBuild: CreateLocalWorkflow = async () => {
  throw new Error('the workflow must not be built for a usage error');
};

describe('CLI usage and exit codes', () => {
  it('--help prints the usage and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io, mustNotBuild)).to.equal(0);
    expect(io.out()).to.match(/^Usage: npm start -- \[options\] <image path \| URL \| directory>/);
    expect(io.out()).to.include('--concurrency');
  });

  for (const [argv, pattern] of [
    [[], /at least one image/],
    [['--concurrency', '-1', 'x.jpg'], /--concurrency/],
    [['--nope', 'x.jpg'], /nope/],
    [['/definitely/not/here.jpg'], /no such file or directory/],
    [['--state-machine-arn', 'arn:aws:states:eu-west-1:123456789012:stateMachine:m', './local.jpg'], /\.\/local\.jpg is local/],
    [
      ['--state-machine-arn', 'arn:aws:states:eu-west-1:123456789012:stateMachine:m', '--workflow-type', 'FAST', 'https://example.com/a.jpg'],
      /--workflow-type/,
    ],
  ] as const) {
    it(`exits 2 with a clear message for ${JSON.stringify(argv)}`, async () => {
      const io = captureIo();
      expect(await main([...argv], io, mustNotBuild)).to.equal(2);
      expect(io.err())
        .to.match(/^error: /)
        .and.to.match(pattern);
      expect(io.out()).to.equal('');
    });
  }
});

describe('CLI against a deployed state machine (--state-machine-arn, SFN answered by aws-sdk-client-mock)', () => {
  const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:blog-image-moderation-dev-moderation';
  let sfn: AwsClientStub<SFNClient>;
  beforeEach(() => {
    sfn = mockClient(SFNClient);
  });
  afterEach(() => sfn.restore());

  it('starts the execution with a deterministic name, waits for the verdict and prints the same record', async () => {
    const verdict = {
      decision: 'reject',
      reasons: [
        {
          code: 'category-reject',
          category: 'Explicit',
          label: 'Explicit Nudity',
          confidence: 97,
          threshold: 80,
          message: 'rekognition engine: Explicit Nudity at 97%',
        },
      ],
      seoTags: [],
      altText: 'x',
      labels: [],
      moderation: [],
    };
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:blog-image-moderation-dev-moderation:abc', startDate: new Date() });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(verdict) });
    const io = captureIo({ AWS_REGION: 'eu-west-1' });
    const code = await main(['--json', '--state-machine-arn', SM, 'https://blog.example.com/a.jpg'], io, mustNotBuild);
    expect(code, io.err()).to.equal(0);
    const record = JSON.parse(io.out().trim());
    expect(record).to.include({ input: 'https://blog.example.com/a.jpg', status: 'Rejected', decision: 'reject' });
    expect(record.reasons[0].category).to.equal('Explicit');
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).to.equal(SM);
    expect(JSON.parse(start.input!)).to.deep.equal({ imageUrl: 'https://blog.example.com/a.jpg' });
  });
});

describe('CLI logs (the real local workflow)', function () {
  this.timeout(180_000);
  let staging: string;
  before(async () => {
    staging = await mkdtemp(path.join(tmpdir(), 'cli-logs-'));
  });
  after(async () => rm(staging, { recursive: true, force: true }));

  it("is quiet on stderr by default, and with --verbose writes the Lambdas' JSON logs and EMF there, never on stdout", async () => {
    // A fresh verdict store per run: a stored verdict would skip the analysis steps (dedupe).
    const quiet = captureIo();
    expect(
      await main(['--json', '--staging-dir', staging, '--data-dir', path.join(staging, 'quiet'), photo('n02391049_zebra.JPEG')], quiet),
      quiet.err(),
    ).to.equal(0);
    expect(quiet.err()).to.equal('');
    const loud = captureIo();
    expect(
      await main(['--json', '--verbose', '--staging-dir', staging, '--data-dir', path.join(staging, 'loud'), photo('n02391049_zebra.JPEG')], loud),
      loud.err(),
    ).to.equal(0);
    expect(loud.out().trim().split('\n')).to.have.length(1);
    expect(JSON.parse(loud.out())).to.include({ decision: 'approve' });
    const lines = loud
      .err()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const steps = lines.filter((l) => typeof l.message === 'string' && l.message.endsWith(' done')).map((l) => l.step);
    // The verdict store's states log through the same wrapper as the analysis steps.
    expect(steps).to.have.members(['FetchImage', 'LookupVerdict', 'ClassifyImage', 'CheckSafety', 'AggregateVerdict', 'RecordVerdict']);
    const done = lines.find((l) => l.message === 'AggregateVerdict done')!;
    expect(done.execution).to.match(/^image-[0-9a-f]{40}$/);
    expect(done.image_sha256).to.match(/^[0-9a-f]{64}$/);
    expect(lines.some((l) => 'Decisions' in l)).to.equal(true);
  });
});
