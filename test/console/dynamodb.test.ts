/**
 * The console on a DynamoDB verdict table, in both modes that open one: `npm run console -- --table <name>`
 * and the deployed mode (`--state-machine-arn ... --table ...`, what `--stack` resolves to). dynalite on
 * loopback holds the table, the real VerdictStep (what RequestReview invokes in a STANDARD stack) puts a
 * pending review with a task token through the DynamoDB adapter, the console runs as its own process with
 * nothing but the AWS SDK's standard endpoint settings pointing it at loopback, and Chromium approves the
 * item. The table is read back raw, and a loopback stand-in for Step Functions' API records the
 * SendTaskSuccess that resumes the waiting execution.
 */
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { ImageFormat, Verdict } from '../../functions/shared/contracts/index.js';
import { LocalStagingStore } from '../../functions/shared/staging/local.js';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { createVerdictTable, startDynalite, type Dynalite } from '../verdicts/dynalite.js';
import { photo, projectRoot } from '../workflow/fixtures.js';
import { launchChromium, type Browser } from './browser.js';
import { DEPLOYED_ARN, deployedDefinition } from './fixtures.js';

const TASK_TOKEN = 'AQCEAAAAKgAAAA-console-dynamodb-test-token';

/** Step Functions' JSON 1.0 API on loopback: records each call, answers what the console may ask. */
async function startStepFunctionsStandIn() {
  const calls: Array<{ target: string; body: Record<string, unknown> }> = [];
  const answers: Record<string, unknown> = {
    SendTaskSuccess: {},
    SendTaskHeartbeat: {},
    DescribeStateMachine: { stateMachineArn: DEPLOYED_ARN, definition: JSON.stringify(deployedDefinition()) },
    ListExecutions: { executions: [] },
  };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      calls.push({ target, body: JSON.parse(text || '{}') as Record<string, unknown> });
      const answer = answers[target];
      res.writeHead(answer ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer ?? { __type: 'UnknownOperationException', message: target }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('console on a DynamoDB verdict table (dynalite, the console as a process, Chromium)', function () {
  this.timeout(180_000);
  let dir: string;
  let db: Dynalite;
  let sfn: Awaited<ReturnType<typeof startStepFunctionsStandIn>>;
  let browser: Browser;
  let page: Page;
  let held: Verdict;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-dynamodb-'));
    db = await startDynalite();
    sfn = await startStepFunctionsStandIn();
    // The photo staged as FetchImage stages it, so the queue can show its thumbnail.
    const bytes = await readFile(photo('n02823428_beer_bottle.JPEG'));
    const meta = await sharp(bytes).metadata();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const format = meta.format as ImageFormat;
    const pointer = await new LocalStagingStore(path.join(dir, 'staging')).put(bytes, { sha256, format });
    held = {
      decision: 'review',
      reasons: [
        {
          code: 'category-review',
          category: 'Alcohol',
          label: 'beer bottle',
          confidence: 41,
          threshold: 20,
          source: 'classifier',
          message: 'classifier: beer bottle 41% → Alcohol',
        },
      ],
      seoTags: ['beer-bottle', 'bottle'],
      altText: 'A photo of a beer bottle.',
      labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.41 }],
      moderation: [],
      image: { ...pointer, sha256, bytes: bytes.length, format, width: meta.width, height: meta.height },
    };
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await sfn?.close();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [mode, table, args, header] of [
    ['npm run console -- --table', 'verdicts-local', [], 'local: '],
    ['deployed mode (--state-machine-arn, --table)', 'verdicts-deployed', ['--state-machine-arn', DEPLOYED_ARN], `deployed: ${DEPLOYED_ARN}`],
  ] as const) {
    describe(mode, () => {
      let store: DynamoVerdictStore;
      let child: ChildProcess | undefined;
      let consoleUrl: string;
      let reviewId: string;
      let stderr = '';

      before(async () => {
        await createVerdictTable(db.client, table);
        store = await DynamoVerdictStore.open(table, db.client);
        // RequestReview's payload as a STANDARD execution sends it, handled by the real VerdictStep.
        await createVerdictStepHandler({ store })({
          action: 'requestReview',
          ruleset: 'mobilenetv2-12-int8@test',
          verdict: held,
          input: { imageUrl: 'https://blog.example/beer.jpg', postId: 'post-42' },
          timeoutSeconds: 3600,
          taskToken: TASK_TOKEN,
        });
        const [item] = await store.listReviews({ status: 'pending' });
        expect(await store.taskTokens(item.reviewId)).to.deep.equal([TASK_TOKEN]);
        reviewId = item.reviewId;
        sfn.calls.length = 0;

        // The console as `npm run console` starts it; only the AWS SDK's standard settings differ from AWS.
        child = spawn(
          process.execPath,
          [
            ...['--import', 'tsx', '--import', './cli/node-version.ts', 'console/server/main.ts', '--port', '0', '--as', 'alice'],
            ...['--table', table, ...args],
            ...['--data-dir', path.join(dir, 'data'), '--staging-dir', path.join(dir, 'staging'), '--eval-report', path.join(dir, 'no-report.json')],
          ],
          {
            cwd: projectRoot,
            env: {
              PATH: process.env.PATH,
              HOME: dir,
              AWS_REGION: 'eu-west-1',
              AWS_ACCESS_KEY_ID: 'test',
              AWS_SECRET_ACCESS_KEY: 'test',
              AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
              AWS_ENDPOINT_URL_SFN: sfn.endpoint,
              AWS_EC2_METADATA_DISABLED: 'true',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        consoleUrl = await new Promise<string>((resolve, reject) => {
          let out = '';
          child!.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
            if (m) resolve(m[0]);
          });
          child!.once('exit', (code) => reject(new Error(`npm run console exited ${code}: ${stderr}`)));
        });
      });
      after(async () => {
        if (child && child.exitCode === null) {
          child.kill('SIGTERM');
          await once(child, 'exit');
        }
        await store?.close();
      });

      it('shows the table’s pending review, says the queue is that table, and never sends the task token to the page', async () => {
        await page.goto(`${consoleUrl}#/reviews`);
        await page.waitForSelector('body[data-ready="reviews"]');
        const where = await page.locator('#mode').innerText();
        expect(where).to.include(header).and.include(`reviews: dynamodb ${table}`);
        const card = page.locator(`article[data-review-id="${reviewId}"]`);
        await card.waitFor();
        expect(await card.innerText())
          .to.include('post-42')
          .and.include('beer bottle')
          .and.include(held.altText);
        expect(await page.content()).not.to.include(TASK_TOKEN);
        const img = card.locator('img');
        let loaded = false;
        for (const t0 = Date.now(); !loaded && Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 100))) {
          loaded = await img.evaluate((i) => i.complete && i.naturalWidth > 0);
        }
        expect(loaded, 'thumbnail decoded').to.equal(true);
      });

      it('approves in the browser: the DynamoDB item and verdict change, and the waiting execution is resumed', async () => {
        const doc = DynamoDBDocumentClient.from(db.client);
        const key = { pk: `REVIEW#${reviewId}`, sk: 'REVIEW' };
        const before = (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item!;
        expect(before.data).to.include({ status: 'pending' });

        const card = page.locator(`article[data-review-id="${reviewId}"]`);
        await card.locator('textarea.note').fill('soft drink label');
        await card.locator('button.approve').click();
        await card.waitFor({ state: 'detached' });

        const after = (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item!;
        expect(after.version).to.be.greaterThan(before.version as number);
        expect(after.gsi1pk).to.equal('REVIEWS#approved');
        expect(after.data).to.include({ status: 'approved', decidedBy: 'alice', note: 'soft drink label' });
        const [record] = await store.findVerdicts({ sha256: held.image!.sha256 });
        expect(record).to.include({ decision: 'approve', decidedBy: 'alice', reviewId });

        const resumed = sfn.calls.filter((c) => c.target === 'SendTaskSuccess');
        expect(resumed, JSON.stringify(sfn.calls)).to.have.length(1);
        expect(resumed[0].body.taskToken).to.equal(TASK_TOKEN);
        expect(JSON.parse(resumed[0].body.output as string)).to.deep.include({ decision: 'approve', decidedBy: 'alice' });
        expect(stderr).to.equal('');
      });
    });
  }
});
