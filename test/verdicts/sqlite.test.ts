import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQLITE_FILE, SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { POSTS_KEPT, reviewIdFor } from '../../functions/shared/verdict-store/rules.js';
import { sha, storeContract, verdict } from './store-contract.js';

interface RawDb {
  prepare(sql: string): { run(...p: unknown[]): unknown; get(...p: unknown[]): unknown };
  close(): void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'fixtures', 'sqlite-worker.ts');

/** A separate Node process running the real store on the same file. */
function worker(args: string[]): { done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>; kill: () => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('verdict store: SQLite (node:sqlite, a real file)', function () {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'verdicts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('contract', () => storeContract(() => SqliteVerdictStore.open(dir)));

  it('keeps what it wrote across processes (a fresh open reads the same file)', async () => {
    const a = await SqliteVerdictStore.open(dir);
    await a.putVerdict({
      sha256: sha('x'),
      ruleset: 'r',
      verdict: { decision: 'approve', reasons: [], seoTags: [], altText: '', labels: [], moderation: [] },
      postId: 'p',
    });
    await a.close();
    const b = await SqliteVerdictStore.open(dir);
    expect((await b.getVerdict(sha('x'), 'r'))?.postIds).to.deep.equal(['p']);
    await b.close();
  });

  it('a file written before tokens had their own table: its tokens move out of the items at open, still delivered', async () => {
    const a = await SqliteVerdictStore.open(dir);
    const at = new Date().toISOString();
    const { item } = await a.requestReview({ sha256: sha('old'), ruleset: 'r1', verdict: verdict('review'), at, deadline: at });
    await a.close();
    // The item as the previous version stored it: tokens inside, no count.
    // A variable specifier, as the store loads it (Node 20's typings do not know node:sqlite).
    const sqlite = 'node:sqlite';
    const { DatabaseSync } = (await import(sqlite)) as { DatabaseSync: new (f: string) => RawDb };
    const raw = new DatabaseSync(path.join(dir, SQLITE_FILE));
    const { waitingExecutions: _, ...old } = item;
    raw.prepare('UPDATE reviews SET item = ? WHERE review_id = ?').run(JSON.stringify({ ...old, taskTokens: ['legacy-token'] }), item.reviewId);
    raw.close();

    const b = await SqliteVerdictStore.open(dir);
    expect(await b.taskTokens(item.reviewId)).to.deep.equal(['legacy-token']);
    expect(await b.getReview(item.reviewId))
      .to.include({ waitingExecutions: 1 })
      .and.not.to.have.property('taskTokens');
    await b.close();
    const after = new DatabaseSync(path.join(dir, SQLITE_FILE));
    const row = after.prepare('SELECT item FROM reviews WHERE review_id = ?').get(item.reviewId) as { item: string };
    after.close();
    expect(row.item).not.to.contain('legacy-token');
  });

  it('loses no update when several processes join the same review at once', async function () {
    this.timeout(120_000);
    const writers = 4;
    const each = 15;
    const results = await Promise.all(Array.from({ length: writers }, (_, w) => worker(['join', dir, String(w), String(each)]).done));
    for (const r of results) expect(r.code, r.out).to.equal(0);
    const store = await SqliteVerdictStore.open(dir);
    const item = await store.getReview(reviewIdFor(sha('shared-photo'), 'r1'));
    // The item lists the latest posts only; every post is linked (none lost).
    const tokens = await store.taskTokens(item!.reviewId);
    const linked = await Promise.all(Array.from({ length: writers * each }, (_, k) => store.findVerdicts({ postId: `w${Math.floor(k / each)}-${k % each}` })));
    await store.close();
    expect(item?.waitingExecutions).to.equal(writers * each);
    expect(tokens).to.have.length(writers * each);
    expect(item?.postIds.length).to.equal(Math.min(writers * each, POSTS_KEPT));
    expect(linked.filter((l) => l[0]?.sha256 === sha('shared-photo'))).to.have.length(writers * each);
  });

  it('a process killed mid-way leaves every decided review with its verdict record, and every pending one with its review verdict', async function () {
    this.timeout(120_000);
    const w = worker(['churn', dir, '100000']);
    // Let it get well into its loop, then kill it without warning.
    await new Promise((r) => setTimeout(r, 2500));
    w.kill();
    const { signal, out } = await w.done;
    expect(signal, out).to.equal('SIGKILL');
    const store = await SqliteVerdictStore.open(dir);
    const items = await store.listReviews();
    expect(items.length).to.be.greaterThan(3);
    for (const item of items) {
      const record = await store.getVerdict(item.sha256, item.ruleset);
      expect(record, item.reviewId).to.not.equal(undefined);
      if (item.status === 'pending') expect(record).to.include({ decision: 'review', reviewId: item.reviewId });
      else expect(record).to.include({ decision: item.status === 'approved' ? 'approve' : 'reject', decidedBy: item.decidedBy });
    }
    await store.close();
  });

  it('an unwritable data directory is VerdictStoreUnavailable at open, naming the file and the fix', async function () {
    if (process.getuid?.() === 0) {
      // root writes through permissions: a path under a regular file is unusable for anyone.
      const blocker = path.join(dir, 'file');
      await (await import('node:fs/promises')).writeFile(blocker, 'x');
      try {
        await SqliteVerdictStore.open(path.join(blocker, 'data'));
        expect.fail('opened');
      } catch (e) {
        expect((e as Error).name).to.equal('VerdictStoreUnavailable');
        expect((e as Error).message).to.match(/MODERATION_DATA_DIR/);
      }
      return;
    }
    await chmod(dir, 0o500);
    try {
      await SqliteVerdictStore.open(path.join(dir, 'data'));
      expect.fail('opened');
    } catch (e) {
      expect((e as Error).name).to.equal('VerdictStoreUnavailable');
    } finally {
      await chmod(dir, 0o700);
    }
  });
});
