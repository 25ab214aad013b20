// npm run eval against a deployed stack: every labelled photo moderated by the state machine through the
// publisher's client, here the Step Functions stand-in (test/stepfunctions/stand-in.ts) running the real
// local workflow, the photos fetched from a loopback --base-url host. The same photos evaluated locally
// must give the same figures and the same decision inputs: the stack's report is the local report's.
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../eval/run.js';
import type { EvalStackBackends } from '../../eval/stack-flags.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { sharedLabelRows, standInClient, startStackFixture, type StackFixture } from '../stepfunctions/fixtures.js';
import { captureIo } from '../workflow/fixtures.js';

const FILES = [
  'imagenet-sample/n02391049_zebra.JPEG',
  'imagenet-sample/n01440764_tench.JPEG',
  'imagenet-sample/n02823428_beer_bottle.JPEG',
  'imagenet-sample/n04243546_slot.JPEG',
  // A benign photo the nudity models hold: on a STANDARD stack its execution waits for a moderator.
  'calibration/n02802426_basketball.JPEG',
];

describe('npm run eval --state-machine-arn (a deployed stack behind the Step Functions stand-in)', function () {
  this.timeout(600_000);
  let fx: StackFixture;
  let labels: string;
  const backends = (): EvalStackBackends => ({
    stackOutputs: async () => {
      throw new Error('no Pulumi here: the flags name the stack');
    },
    // A second connection to the stand-in workflow's own SQLite store, as the stack's table would be.
    openStore: async () => SqliteVerdictStore.open(fx.dataDir),
    sfnClient: () => standInClient(fx.standIn),
  });
  before(async () => {
    fx = await startStackFixture(FILES, { waitForReview: true });
    labels = path.join(fx.photosRoot, 'labels.tsv');
    await writeFile(labels, ['file\texpected\tcategory', ...(await sharedLabelRows(FILES))].join('\n'));
  });
  after(async () => fx?.close());

  it('measures the stack on the photos it fetched, with the local report’s figures and inputs, the stack named', async () => {
    const localOut = path.join(fx.dir, 'local');
    const localIo = captureIo({ ...process.env });
    expect(
      await main([labels, '--json', '--out', localOut, '--staging-dir', path.join(fx.dir, 'local-staging'), '--concurrency', '2'], localIo),
      localIo.err(),
    ).to.equal(0);
    const local = JSON.parse(localIo.out());

    const out = path.join(fx.dir, 'stack');
    const io = captureIo({ ...process.env });
    const argv = [labels, '--json', '--out', out, '--state-machine-arn', fx.standIn.stateMachineArn, '--table', 'verdicts', '--ruleset', fx.workflow.ruleset];
    const code = await main([...argv, '--base-url', fx.baseUrl], io, undefined, backends());
    expect(code, io.err()).to.equal(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(JSON.parse(io.out())).to.deep.equal(report);
    expect(report.target).to.deep.include({
      kind: 'stack',
      stateMachineArn: fx.standIn.stateMachineArn,
      workflowType: 'STANDARD',
      staging: 'base-url',
      safetyEngine: 'local',
      region: 'us-east-1',
    });
    expect(local.target).to.deep.equal({ kind: 'local', safetyEngine: 'local' });

    // One execution per photo, each fetched by the stack from the --base-url host.
    const started = fx.standIn.calls.filter((c) => c.target === 'AWSStepFunctions.StartExecution');
    expect(started).to.have.length(FILES.length);
    expect(started.filter((c) => c.error)).to.deep.equal([]);
    for (const f of FILES) expect(fx.hits, f).to.include(f);
    // At least one held photo's execution is still waiting for a person: its verdict came from the table.
    const waiting = [...fx.standIn.executions.values()].filter((e) => e.status === 'RUNNING');
    expect(waiting.length).to.be.greaterThan(0);
    expect(report.falseFlags).to.be.greaterThan(0);

    for (const k of [
      'images',
      'benign',
      'sensitive',
      'falseFlags',
      'falseRejects',
      'caught',
      'recall',
      'byCategory',
      'bySource',
      'offenders',
      'sweep',
      'quality',
    ])
      expect(report[k], k).to.deep.equal(local[k]);
    expect(report.sweepLeftOut).to.equal(0);
    // Rebuilt from each verdict alone, the decision input is what AggregateVerdict decided from locally.
    expect(report.cases.map((c: { file: string; input: unknown }) => [c.file, c.input])).to.deep.equal(
      local.cases.map((c: { file: string; input: unknown }) => [c.file, c.input]),
    );
    expect(report.models.classifier).to.deep.equal(local.models.classifier);
  });

  it('leaves the sweep out (and says so) when MODERATION_POLICY here is not the stack’s', async () => {
    const out = path.join(fx.dir, 'other-policy');
    const io = captureIo({ ...process.env, MODERATION_POLICY: JSON.stringify({ classifier: { Gambling: { review: 90 } } }) });
    const argv = [labels, '--json', '--out', out, '--state-machine-arn', fx.standIn.stateMachineArn, '--table', 'verdicts', '--ruleset', fx.workflow.ruleset];
    expect(await main([...argv, '--base-url', fx.baseUrl, '--concurrency', '2'], io, undefined, backends()), io.err()).to.equal(0);
    expect(io.err()).to.match(/another policy than MODERATION_POLICY here/);
    const report = JSON.parse(io.out());
    expect(report.sweepLeftOut).to.equal(FILES.length);
    // The stack's verdicts still stand: the slot machine is caught by the stack's own policy.
    expect(report.caught).to.equal(2);
  });

  it('refuses what a stack run cannot honour, before starting anything', async () => {
    const before = fx.standIn.calls.length;
    const arn = ['--state-machine-arn', fx.standIn.stateMachineArn];
    const cases: Array<[string[], RegExp]> = [
      [[labels, ...arn, '--base-url', fx.baseUrl, '--model', 'resnet50-v1-12-int8'], /--model is the deployed stack's own setting/],
      [[labels, ...arn, '--base-url', fx.baseUrl], /STANDARD stack's held photos wait for a moderator.*--table/],
      [[labels, ...arn, '--table', 'verdicts'], /no HTTP API to upload them through.*--base-url/],
      [[labels, ...arn, '--table', 'verdicts', '--base-url', 'ftp://host/'], /--base-url must be an https:\/\/ URL/],
      [[labels, '--state-machine-arn', 'arn:aws:states:us-east-1:1:thing:x', '--table', 'verdicts', '--base-url', fx.baseUrl], /is not a state machine ARN/],
      [[labels, '--base-url', fx.baseUrl], /--base-url is for a deployed stack/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIo({ ...process.env });
      expect(await main(argv, io, undefined, backends()), argv.join(' ')).to.equal(2);
      expect(io.err()).to.match(message);
    }
    expect(fx.standIn.calls.length).to.equal(before);
  });
});
