/**
 * A console over real data: the CLI moderates real photos with the real local workflow (and records the
 * executions), the real SQLite store holds review items built from those verdicts, and the real server
 * listens on loopback. Shared by the browser tests and the README screenshot script.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Page } from 'playwright-core';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { startConsole, type RunningConsole } from '../../console/server/main.js';
import { main as cli } from '../../cli/moderate.js';
import { buildDefinition, DEFAULT_REVIEW } from '../../workflows/definition.js';
import { ExecutionLog } from '../../workflows/local/execution-log.js';
import type { ExecutionRecord } from '../../workflows/local/execution-record.js';
import { photo } from '../workflow/fixtures.js';
import { reviewPostOf } from '../../functions/shared/relevance/verdict.js';
import { launchChromium, watchedPage, type Browser } from './browser.js';

/** Markup a hostile publisher or label could carry: if any of it ran, window.__pwned would be set. */
export const HOSTILE = {
  file: '<img src=x onerror=window.__pwned=1>.jpg',
  postId: '<script>window.__pwned=2</script>',
  label: '<img src=x onerror="window.__pwned=3">',
  altText: '"><svg onload=window.__pwned=4>',
  keyword: '<img src=x onerror=window.__pwned=5>',
  postTitle: 'Zebras <svg onload=window.__pwned=6> of the savanna',
};

/** The post every fixture photo is moderated for (npm start --post): relevance is scored against it. */
export const POST = { title: 'Craft beer tasting notes from a small brewery', keywords: ['lager', 'brewery'] };

/** A deployed stack's state machine, as DescribeStateMachine returns its definition (the Rekognition variant). */
export const DEPLOYED_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:blog-image-moderation-dev';
export function deployedDefinition() {
  const fn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
  return buildDefinition({
    fetchImageFunction: fn('fetch'),
    classifyFunction: fn('classify'),
    aggregateFunction: fn('aggregate'),
    safety: { engine: 'rekognition' },
    stagingBucket: 'staging-bucket',
    verdicts: { function: fn('verdicts'), ruleset: 'r1', review: DEFAULT_REVIEW },
  });
}

export interface ConsoleFixture {
  dir: string;
  dataDir: string;
  stagingDir: string;
  console: RunningConsole;
  store: SqliteVerdictStore;
  records: ExecutionRecord[];
  byInput(name: string): ExecutionRecord;
  reviewIds: { beer: string; hostile: string; slot: string; otter: string };
  /** The post the CLI moderated every photo for (POST, plus a hostile keyword unless hostile is false). */
  post: { title: string; keywords: string[] };
  close(): Promise<void>;
}

const RULESET = 'console-test';

async function requestReview(store: SqliteVerdictStore, record: ExecutionRecord, postId: string, verdict: Verdict = record.verdict!): Promise<string> {
  const at = new Date().toISOString();
  const { item } = await store.requestReview({
    post: reviewPostOf(verdict, { postId, post: { title: HOSTILE.postTitle } }),
    sha256: verdict.image!.sha256,
    ruleset: RULESET,
    verdict,
    imageUrl: record.input.imageUrl,
    postId,
    at,
    deadline: new Date(Date.now() + 24 * 3600_000).toISOString(),
  });
  return item.reviewId;
}

export interface ModeratedFiles {
  /** Every execution the CLI recorded. */
  records: ExecutionRecord[];
  /** The recorded execution of the input with this file name. */
  byInput: (name: string) => ExecutionRecord;
}

/** The real CLI (npm start --json) over these files with the real local workflow, recording its executions in dataDir. */
export async function moderateFiles(inputs: string[], opts: { dataDir: string; stagingDir: string; args?: string[] }): Promise<ModeratedFiles> {
  const out = new PassThrough();
  const err = new PassThrough();
  let errText = '';
  out.resume();
  err.on('data', (d: Buffer) => (errText += d.toString()));
  const code = await cli(['--json', '--staging-dir', opts.stagingDir, '--concurrency', '2', ...(opts.args ?? []), ...inputs], {
    stdout: out,
    stderr: err,
    env: { ...process.env, MODERATION_DATA_DIR: opts.dataDir },
  });
  if (code !== 0) throw new Error(`the CLI exited ${code}: ${errText}`);
  const log = new ExecutionLog(opts.dataDir);
  const records = (await Promise.all((await log.ids()).map((id) => log.get(id)))).filter((r): r is ExecutionRecord => Boolean(r));
  const byInput = (name: string) => {
    const r = records.find((x) => path.basename(x.input.imageUrl) === name);
    if (!r) throw new Error(`no recorded execution for ${name}`);
    return r;
  };
  return { records, byInput };
}

export async function startConsoleFixture(opts: { moderator?: string; evalReport?: string; hostile?: boolean } = {}): Promise<ConsoleFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'console-'));
  const dataDir = path.join(dir, 'data');
  const stagingDir = path.join(dir, 'staging');
  const hostileFile = path.join(dir, HOSTILE.file);
  await copyFile(photo('n02391049_zebra.JPEG'), hostileFile);
  const notAnImage = path.join(dir, 'not-an-image.jpg');
  await writeFile(notAnImage, '<html><body>this is a web page, not a photo</body></html>\n');

  // The otter photo is genuinely dark (its brightest tones 0.53 of white): quality holds it for exposure.
  const inputs = [photo('n02823428_beer_bottle.JPEG'), photo('n04243546_slot.JPEG'), photo('n02444819_otter.JPEG'), hostileFile, notAnImage];
  const post = { title: POST.title, keywords: opts.hostile === false ? POST.keywords : [...POST.keywords, HOSTILE.keyword] };
  const { records, byInput } = await moderateFiles(inputs, { dataDir, stagingDir, args: ['--post', post.title, '--keywords', post.keywords.join(',')] });

  const store = await SqliteVerdictStore.open(dataDir);
  const beer = byInput('n02823428_beer_bottle.JPEG');
  const slot = byInput('n04243546_slot.JPEG');
  const zebra = byInput(HOSTILE.file);
  const hostileVerdict: Verdict = {
    ...zebra.verdict!,
    decision: 'review',
    altText: HOSTILE.altText,
    seoTags: [HOSTILE.label, ...zebra.verdict!.seoTags],
    labels: [{ ...zebra.verdict!.labels[0], label: HOSTILE.label }, ...zebra.verdict!.labels.slice(1)],
    moderation: [{ name: HOSTILE.label, parentName: 'Violence', confidence: 77 }],
    reasons: [
      { code: 'category-review', category: 'Violence', label: HOSTILE.label, confidence: 77, threshold: 60, message: `local engine: ${HOSTILE.label} at 77%` },
    ],
  };
  // The workflow queued beer and slot for review itself (local mode: RequestReview in queue mode).
  const queued = await store.listReviews({ status: 'pending' });
  const queuedFor = (r: ExecutionRecord) => {
    const item = queued.find((i) => i.sha256 === r.verdict?.image?.sha256);
    if (!item) throw new Error(`the workflow queued no review for ${r.input.imageUrl} (decision ${r.verdict?.decision})`);
    return item.reviewId;
  };
  const reviewIds = {
    beer: queuedFor(beer),
    slot: queuedFor(slot),
    otter: queuedFor(byInput('n02444819_otter.JPEG')),
    hostile: opts.hostile === false ? '' : await requestReview(store, zebra, HOSTILE.postId, hostileVerdict),
  };

  const running = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    stagingDir,
    evalReport: opts.evalReport ?? path.join(dir, 'no-eval', 'report.json'),
    safetyEngine: 'local',
    moderator: opts.moderator ?? 'alice',
  });
  return {
    dir,
    dataDir,
    stagingDir,
    console: running,
    store,
    records,
    byInput,
    reviewIds,
    post,
    async close() {
      await running.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A real console over some fixture, one Chromium tab on it, and the tab's script errors. */
export interface ConsoleSession<F extends { console: RunningConsole } = ConsoleFixture> {
  readonly fx: F;
  readonly page: Page;
  /** Script errors and dialogs in the page: a hostile label that ran would show up here too. */
  readonly pageErrors: string[];
  /** Loads the page at `hash` and waits until it has drawn. */
  open(this: void, hash?: string): Promise<void>;
}

/**
 * Registers the suite's before/after hooks around a fixture `start` builds (default: the recorded runs of
 * startConsoleFixture); read the fields inside tests (they are set by `before`).
 */
export function useConsoleSession(opts?: Parameters<typeof startConsoleFixture>[0]): ConsoleSession;
export function useConsoleSession<F extends { console: RunningConsole; close(): Promise<void> }>(start: () => Promise<F>): ConsoleSession<F>;
export function useConsoleSession(
  arg: Parameters<typeof startConsoleFixture>[0] | (() => Promise<{ console: RunningConsole; close(): Promise<void> }>) = {},
): ConsoleSession<{ console: RunningConsole; close(): Promise<void> }> {
  const start = typeof arg === 'function' ? arg : () => startConsoleFixture(arg);
  let fx: { console: RunningConsole; close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let tab: { page: Page; errors: string[] } | undefined;
  before(async () => {
    fx = await start();
    browser = await launchChromium();
    tab = await watchedPage(browser);
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the console session starts in before(): use it inside a test');
    return value;
  };
  return {
    get fx() {
      return ready(fx);
    },
    get page() {
      return ready(tab).page;
    },
    get pageErrors() {
      return ready(tab).errors;
    },
    async open(hash = '') {
      const page = ready(tab).page;
      await page.goto(`${ready(fx).console.url}${hash}`);
      await page.waitForSelector('body[data-ready]');
    },
  };
}
