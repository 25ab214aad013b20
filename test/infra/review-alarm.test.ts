/**
 * The ReviewsExpired alarm reads exactly the series the verdict Lambda emits. The shipped verdicts bundle
 * runs in a fresh Node process with the environment the Pulumi plan gives that Lambda (its telemetry
 * settings, its table name; DynamoDB is dynalite on loopback, SNS a loopback stub), a review is requested
 * with a task token and then expires, and the EMF blob it writes to stdout is compared with the alarm's
 * namespace, metric and dimensions from the same plan. Nothing is copied by hand on either side.
 * The same runs show the task token never reaches a log line (nor the moderators' message).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExpirySweep, Verdict, VerdictStepInput } from '../../functions/shared/contracts/index.js';
import { buildZipBundleSync } from '../../infra/build/lambda-bundles.js';
import { SWEEP_LIMIT } from '../../infra/review.js';
import type { PlannedResource } from '../../infra/plan/mocks.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { oneResource } from './fixtures.js';
import { createVerdictTable, startDynalite, type Dynalite } from '../verdicts/dynalite.js';
import { sha, verdict } from '../verdicts/store-contract.js';
import { projectRoot } from '../workflow/fixtures.js';

type Line = Record<string, unknown> & { _aws?: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };

/** A task token's shape: opaque base64, several hundred characters (Step Functions allows up to 2048). */
const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAAe${Buffer.from('the waiting execution can be resumed by whoever holds this '.repeat(9)).toString('base64')}`;

describe('infra: the ReviewsExpired alarm reads what the verdict Lambda emits (shipped bundle, planned env)', function () {
  this.timeout(120_000);
  let plan: StackPlan;
  let work: string;
  let bundle: string;
  let db: Dynalite;
  let sns: Server;
  const published: string[] = [];
  let env: NodeJS.ProcessEnv;

  const one = (type: string, nameEnds: string): PlannedResource => oneResource(plan, type, nameEnds);

  before(async () => {
    plan = await planStack(readStackYaml('dev'), 'test-review-alarm');
    await mkdir(path.join(projectRoot, '.cache'), { recursive: true });
    work = await mkdtemp(path.join(projectRoot, '.cache', 'review-alarm-'));
    bundle = buildZipBundleSync('verdicts', path.join(work, 'verdicts.mjs'));
    db = await startDynalite();
    // SNS Publish answered on loopback; the request bodies are kept to check what moderators would read.
    sns = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        published.push(decodeURIComponent(body.replace(/\+/g, ' ')));
        if (String(req.headers['content-type']).includes('json')) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"MessageId":"m-1"}');
        } else {
          res
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(
              '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
            );
        }
      });
    });
    await new Promise<void>((r) => sns.listen(0, '127.0.0.1', () => r()));

    const fn = one('aws:lambda/function:Function', '-verdicts');
    const planned = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    await createVerdictTable(db.client, planned.VERDICT_TABLE);
    env = {
      PATH: process.env.PATH,
      ...planned,
      // What the Lambda runtime adds, and where "AWS" is on this machine.
      AWS_LAMBDA_FUNCTION_NAME: String(fn.inputs.name),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${(sns.address() as AddressInfo).port}`,
    };
  });
  after(async () => {
    await db?.close();
    await new Promise((r) => sns?.close(r));
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function invoke(event: unknown): Promise<{ result: Record<string, unknown>; lines: Line[]; stdout: string }> {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(projectRoot, 'test/infra/invoke-bundle.mjs'), bundle, JSON.stringify(event)], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    const outcome = lines.find((l) => 'ok' in l) as { ok: boolean; result?: Record<string, unknown>; errorType?: string; errorMessage?: string };
    if (!outcome.ok) expect.fail(`${outcome.errorType}: ${outcome.errorMessage}`);
    return { result: outcome.result!, lines: lines.filter((l) => !('ok' in l)), stdout };
  }

  const image = {
    uri: 's3://staging/x.jpeg',
    bucket: 'staging',
    key: 'staging/x.jpeg',
    sha256: sha('expired-photo'),
    bytes: 1,
    format: 'jpeg',
    width: 1,
    height: 1,
  };
  const held = verdict('review', { image } as Partial<Verdict>);
  const input = { imageUrl: 'https://blog.example.com/expired.jpg', postId: 'post-7' };

  it('queues a review with a task token and never writes the token to a log line or the moderators', async () => {
    const { result, lines, stdout } = await invoke({
      action: 'requestReview',
      ruleset: 'r1',
      verdict: held,
      input,
      timeoutSeconds: 3600,
      taskToken: TASK_TOKEN,
      executionName: 'exec-review-1',
    });
    expect(result).to.include({ decision: 'review' });
    expect(stdout).not.to.contain(TASK_TOKEN);
    expect(stdout).not.to.contain(TASK_TOKEN.slice(0, 60));
    expect(published.join('\n')).to.contain('Image held for review').and.not.to.contain(TASK_TOKEN.slice(0, 60));
    const done = lines.find((l) => l.message === 'RequestReview done')!;
    expect(done, stdout).to.include({ step: 'RequestReview', execution: 'exec-review-1', post_id: 'post-7', image_sha256: image.sha256 });
  });

  it('emits ReviewsExpired under exactly the namespace, name and dimensions the alarm reads', async () => {
    // What ReviewExpired sends when the waiting task times out (and sends again when Lambda retries it).
    const timedOut: VerdictStepInput & { executionName: string } = {
      action: 'expireReview',
      ruleset: 'r1',
      verdict: held,
      input,
      outcome: 'review',
      error: { Error: 'States.Timeout' },
      executionName: 'exec-review-1',
    };
    const { result, lines, stdout } = await invoke(timedOut);
    expect(result).to.include({ decision: 'review' });
    expect(stdout).not.to.contain(TASK_TOKEN.slice(0, 60));
    expect(lines.find((l) => l.message === 'ReviewExpired done')).to.include({ step: 'ReviewExpired', execution: 'exec-review-1', post_id: 'post-7' });

    const alarm = one('aws:cloudwatch/metricAlarm:MetricAlarm', '-reviews-expired').inputs as {
      namespace: string;
      metricName: string;
      dimensions: Record<string, string>;
      statistic: string;
      threshold: number;
    };
    const blobs = lines.filter((l) => l._aws?.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === alarm.metricName)));
    expect(blobs, `no ${alarm.metricName} in:\n${stdout}`).to.have.length(1);
    const [blob] = blobs;
    const [directive] = blob._aws!.CloudWatchMetrics;
    expect(directive.Namespace).to.equal(alarm.namespace);
    // CloudWatch matches a series by its full dimension set: the same keys, the same values.
    expect([...directive.Dimensions[0]].sort()).to.deep.equal(Object.keys(alarm.dimensions).sort());
    for (const [k, v] of Object.entries(alarm.dimensions)) expect(blob[k], k).to.equal(v);
    expect(blob[alarm.metricName]).to.equal(1);
    // Lambda's application log filter (JSON logs) keeps the line: it carries the function's own level.
    const fn = one('aws:lambda/function:Function', '-verdicts');
    expect(blob.level).to.equal((fn.inputs.loggingConfig as { applicationLogLevel: string }).applicationLogLevel);
    expect(alarm).to.include({ statistic: 'Sum', threshold: 1 });

    // The dashboard's "Reviews expired" graph reads the same series.
    const dash = JSON.parse(String(one('aws:cloudwatch/dashboard:Dashboard', '-dashboard').inputs.dashboardBody)) as {
      widgets: Array<{ properties: { title: string; metrics: unknown[][] } }>;
    };
    const graph = dash.widgets.find((w) => w.properties.title.startsWith('Reviews expired'))!.properties.metrics[0];
    expect(graph.slice(0, -1)).to.deep.equal([alarm.namespace, alarm.metricName, ...Object.entries(alarm.dimensions).flat()]);

    // Lambda retries ReviewExpired on a transient error: the retry answers the same verdict and counts nothing.
    const retried = await invoke(timedOut);
    expect(retried.result).to.include({ decision: 'review' });
    expect(retried.lines.filter((l) => l._aws?.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === alarm.metricName)))).to.deep.equal([]);
  });

  it('the scheduled sweep (expireDue, as EXPRESS stacks send it) ends queued reviews past their deadline, tells moderators and emits ReviewsExpired with the count', async () => {
    const toldBefore = published.filter((m) => m.includes('Review expired undecided')).length;
    const queued = ['sweep-a', 'sweep-b'].map((name) => ({ ...held, image: { ...image, sha256: sha(name) } }));
    for (const [i, v] of queued.entries()) {
      await invoke({ action: 'requestReview', ruleset: 'r1', verdict: v, input: { ...input, postId: `post-sweep-${i}` }, timeoutSeconds: 1 });
    }
    await new Promise((r) => setTimeout(r, 1100));
    const sweepEvent: VerdictStepInput = { action: 'expireDue', outcome: 'reject', limit: SWEEP_LIMIT };
    const { result, lines, stdout } = await invoke(sweepEvent);
    const expired = (result as unknown as ExpirySweep).expired;
    expect(expired.map((e) => e.decision)).to.deep.equal(['reject', 'reject']);
    expect(expired.flatMap((e) => e.postIds).sort()).to.deep.equal(['post-sweep-0', 'post-sweep-1']);
    expect(published.filter((m) => m.includes('Review expired undecided')).length - toldBefore).to.equal(2);
    const alarm = one('aws:cloudwatch/metricAlarm:MetricAlarm', '-reviews-expired').inputs as { metricName: string; dimensions: Record<string, string> };
    const blobs = lines.filter((l) => l._aws?.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === alarm.metricName)));
    expect(blobs, stdout).to.have.length(1);
    expect(blobs[0][alarm.metricName]).to.equal(2);
    for (const [k, v] of Object.entries(alarm.dimensions)) expect(blobs[0][k], k).to.equal(v);
    expect(
      lines.find((l) => l.message === 'ReviewExpired done'),
      stdout,
    ).to.include({ step: 'ReviewExpired' });

    const again = await invoke(sweepEvent);
    expect((again.result as unknown as ExpirySweep).expired, 'a second sweep ends nothing').to.deep.equal([]);
    expect(again.lines.filter((l) => l._aws?.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === alarm.metricName)))).to.deep.equal([]);
  });
});
