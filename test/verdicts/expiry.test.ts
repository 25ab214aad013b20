// The expiry sweep (functions/verdicts/expiry.ts) on both real stores: SQLite on a file (and two
// processes racing on it), DynamoDB on dynalite over loopback (concurrent clients racing).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY_DECIDER, type ExpirySweep, type ReviewItem, type Verdict } from '../../functions/shared/contracts/index.js';
import { DynamoVerdictStore } from '../../functions/shared/verdict-store/dynamodb.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import type { VerdictStore } from '../../functions/shared/verdict-store/store.js';
import { expireDueReviews } from '../../functions/verdicts/expiry.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import { snsNotifier } from '../../functions/verdicts/notify.js';
import { lookupVerdict } from '../../functions/verdicts/record.js';
import { createVerdictTable, startDynalite, type Dynalite } from './dynalite.js';
import { sha, verdict } from './store-contract.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'fixtures', 'expiry-worker.ts');

const at = '2026-12-02T04:00:00.000Z';
const due = (i: number) => new Date(Date.parse('2026-12-02T05:00:00.000Z') + i * 1000).toISOString();
const now = '2026-12-02T06:00:00.000Z';
const image = (s: string) => ({ uri: 's3://b/k', bucket: 'b', key: 'k', sha256: s, bytes: 1, format: 'jpeg' as const, width: 1, height: 1 });

/** `n` queued reviews (no task token) with deadlines before `now`, one post each. */
async function queue(store: VerdictStore, n: number, prefix: string, deadline = due): Promise<ReviewItem[]> {
  const items: ReviewItem[] = [];
  for (let i = 0; i < n; i++) {
    const s = sha(`${prefix}-${i}`);
    items.push(
      (
        await store.requestReview({
          sha256: s,
          ruleset: 'r1',
          verdict: verdict('review', { image: image(s) }),
          postId: `${prefix}-p${i}`,
          at,
          deadline: deadline(i),
        })
      ).item,
    );
  }
  return items;
}

interface Recorder {
  expired: Array<{ item: ReviewItem; verdict: Verdict }>;
}
function deps(store: VerdictStore, rec: Recorder) {
  return {
    store,
    notifier: { notify: async () => undefined, expired: async (item: ReviewItem, v: Verdict) => void rec.expired.push({ item, verdict: v }) },
  };
}

/** Everything a sweep may change, to prove a second run changes nothing. */
async function snapshot(store: VerdictStore, items: ReviewItem[]): Promise<string> {
  const rows = await Promise.all(items.map(async (i) => [await store.getReview(i.reviewId), await store.getVerdict(i.sha256, i.ruleset)]));
  return JSON.stringify(rows);
}

/**
 * What a decision racing the sweep must leave, item by item: either the decision came first (the sweep
 * skipped it: no expiredAt) or the sweep did (expiredAt set, counted once); either way the moderator's
 * decision is recorded and the timeout verdict never replaced it. Nothing is counted twice.
 */
async function checkRace(
  store: VerdictStore,
  items: ReviewItem[],
  sweeps: Array<ExpirySweep & { counted: number }>,
): Promise<{ sweepFirst: number; decisionFirst: number }> {
  const expiredBy = new Map<string, number>();
  for (const s of sweeps) for (const e of s.expired) expiredBy.set(e.reviewId, (expiredBy.get(e.reviewId) ?? 0) + 1);
  let sweepFirst = 0;
  for (const i of items) {
    const item = (await store.getReview(i.reviewId))!;
    const record = (await store.getVerdict(i.sha256, i.ruleset))!;
    expect(item.status, i.reviewId).to.equal('approved');
    expect(record, i.reviewId).to.include({ decision: 'approve', decidedBy: 'Racer', reviewId: i.reviewId });
    expect(expiredBy.get(i.reviewId) ?? 0, `${i.reviewId} ended by at most one sweep`).to.be.at.most(1);
    expect(Boolean(item.expiredAt), `${i.reviewId}: expiredAt iff a sweep counted it`).to.equal(expiredBy.has(i.reviewId));
    if (item.expiredAt) sweepFirst++;
  }
  for (const s of sweeps) expect(s.counted, 'moderators told once per review a sweep ended').to.equal(s.expired.length);
  return { sweepFirst, decisionFirst: items.length - sweepFirst };
}

function sweepSuite(open: () => Promise<VerdictStore>) {
  let store: VerdictStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => store.close());

  it('ends the due reviews with the configured outcome (review-expired, never approve), records it, tells moderators; a second run changes nothing', async () => {
    const items = await queue(store, 3, 'a');
    const [later] = await queue(store, 1, 'later', () => '2026-12-02T07:00:00.000Z');
    const rec: Recorder = { expired: [] };
    const sweep = await expireDueReviews(deps(store, rec), { outcome: 'reject', now: new Date(now) });
    expect(sweep).to.include({ now, skipped: 0, more: false });
    expect(sweep.expired.map((e) => e.reviewId)).to.deep.equal(items.map((i) => i.reviewId));
    expect(sweep.expired.map((e) => e.decision)).to.deep.equal(['reject', 'reject', 'reject']);
    for (const i of items) {
      const item = await store.getReview(i.reviewId);
      expect(item).to.include({ status: 'expired', expiredAt: now });
      const record = await store.getVerdict(i.sha256, i.ruleset);
      expect(record).to.include({ decision: 'reject', decidedBy: POLICY_DECIDER, reviewId: i.reviewId });
      expect(record!.verdict.reasons[0]).to.include({ code: 'review-expired' });
      expect(record!.verdict.reasons[0].message).to.contain(i.deadline).and.contain('rejected by the timeout rule');
      expect(record!.postIds).to.deep.equal(i.postIds);
    }
    expect(rec.expired.map((e) => e.verdict.decision)).to.deep.equal(['reject', 'reject', 'reject']);
    expect((await store.getReview(later.reviewId))?.status, 'not due yet').to.equal('pending');

    const before = await snapshot(store, [...items, later]);
    const again = await expireDueReviews(deps(store, rec), { outcome: 'reject', now: new Date(now) });
    expect(again).to.deep.include({ expired: [], skipped: 0 });
    expect(await snapshot(store, [...items, later])).to.equal(before);
    expect(rec.expired, 'nobody is told twice').to.have.length(3);
  });

  it("outcome review keeps the image in review; a moderator can still decide it, and the person's decision replaces the timeout verdict", async () => {
    const [item] = await queue(store, 1, 'b');
    const sweep = await expireDueReviews({ store }, { outcome: 'review', now: new Date(now) });
    expect(sweep.expired[0]).to.include({ reviewId: item.reviewId, decision: 'review' });
    const record = await store.getVerdict(item.sha256, item.ruleset);
    expect(record).to.include({ decision: 'review', decidedBy: POLICY_DECIDER });
    expect(record!.verdict.reasons[0].message).to.contain('it stays in review');
    await store.decideReview(item.reviewId, { decision: 'approve', by: 'Alice', at: now });
    expect(await store.getVerdict(item.sha256, item.ruleset)).to.include({ decision: 'approve', decidedBy: 'Alice' });
  });

  it('a photo whose review expired is moderated (and queued) again when it comes back, as after a STANDARD timeout', async () => {
    const [item] = await queue(store, 1, 'c');
    await expireDueReviews({ store }, { outcome: 'reject', now: new Date(now) });
    const lookup = await lookupVerdict({ store }, 'r1', { sha256: item.sha256 }, { imageUrl: 'https://x/c.jpg', postId: 'c-p9' });
    expect(lookup).to.deep.equal({ found: false, verdict: null, reason: 'not-recorded' });
  });

  it('leaves a review an execution waits on (STANDARD) to its own ReviewExpired for an hour, then ends it (a stopped execution)', async () => {
    const s = sha('waited-on');
    const { item } = await store.requestReview({
      sha256: s,
      ruleset: 'r1',
      verdict: verdict('review', { image: image(s) }),
      taskToken: 'token-1',
      at,
      deadline: due(0),
    });
    const soon = await expireDueReviews({ store }, { outcome: 'reject', now: new Date(Date.parse(due(0)) + 60_000) });
    expect(soon).to.deep.include({ expired: [], waiting: 1 });
    expect((await store.getReview(item.reviewId))?.status).to.equal('pending');
    const late = await expireDueReviews({ store }, { outcome: 'reject', now: new Date(Date.parse(due(0)) + 3_600_000) });
    expect(late.expired.map((e) => e.reviewId)).to.deep.equal([item.reviewId]);
    expect(late.waiting).to.equal(0);
  });

  it('stops at the limit and says more are due', async () => {
    await queue(store, 5, 'd');
    const first = await expireDueReviews({ store }, { outcome: 'review', now: new Date(now), limit: 3 });
    expect(first.expired).to.have.length(3);
    expect(first.more).to.equal(true);
    const second = await expireDueReviews({ store }, { outcome: 'review', now: new Date(now), limit: 3 });
    expect(second.expired).to.have.length(2);
    expect(second.more).to.equal(false);
  });
}

/** Median of a few sweeps of `n` due items on fresh stores (logged, never asserted: the machine is shared). */
async function measure(label: string, n: number, fresh: () => Promise<VerdictStore>): Promise<void> {
  const ms: number[] = [];
  for (let r = 0; r < 3; r++) {
    const store = await fresh();
    await queue(store, n, `m${r}`);
    const t0 = performance.now();
    const s = await expireDueReviews({ store }, { outcome: 'review', now: new Date(now), limit: n });
    ms.push(performance.now() - t0);
    expect(s.expired).to.have.length(n);
    await store.close();
  }
  ms.sort((a, b) => a - b);
  console.log(
    `      ${label}: sweep of ${n} due reviews, median ${ms[1].toFixed(0)} ms (${(ms[1] / n).toFixed(2)} ms/item; runs ${ms.map((m) => m.toFixed(0)).join(', ')})`,
  );
}

describe('review expiry sweep', function () {
  this.timeout(120_000);

  describe('SQLite (a real file)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'expiry-'));
    });
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    sweepSuite(() => SqliteVerdictStore.open(dir));

    it('the verdicts step runs it as action expireDue (what the schedule sends), with the SNS message for moderators', async () => {
      const store = await SqliteVerdictStore.open(dir);
      const [item] = await queue(store, 1, 'lambda');
      const sent: Array<{ Subject: string; Message: string }> = [];
      const step = createVerdictStepHandler({
        store,
        notifier: snsNotifier('arn:aws:sns:us-east-1:123456789012:reviews', async (m) => void sent.push(m)),
        now: () => new Date(now),
      });
      const out = (await step({ action: 'expireDue', outcome: 'reject', limit: 200 })) as ExpirySweep;
      expect(out.expired.map((e) => e.reviewId)).to.deep.equal([item.reviewId]);
      expect(sent).to.have.length(1);
      expect(sent[0].Subject).to.equal(`Review expired undecided: ${item.reviewId}`);
      expect(sent[0].Message).to.contain('rejected (the timeout rule)').and.contain('never approved').and.contain(`approve ${item.reviewId} --stack`);
      let err: unknown;
      try {
        await step({ action: 'expireDue', outcome: 'approve' });
      } catch (e) {
        err = e;
      }
      expect((err as Error)?.name).to.equal('InvalidInput');
      await store.close();
    });

    it('finds due items through the status-and-deadline index, not by scanning the reviews', async () => {
      const { DatabaseSync } = (await import('node:sqlite')) as {
        DatabaseSync: new (f: string) => { prepare(s: string): { all(...p: unknown[]): unknown[] }; close(): void };
      };
      await (await SqliteVerdictStore.open(dir)).close();
      const db = new DatabaseSync(path.join(dir, 'verdicts.sqlite'));
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT item FROM reviews WHERE status = 'pending' AND json_extract(item, '$.deadline') <= ?
           ORDER BY json_extract(item, '$.deadline'), review_id LIMIT ?`,
        )
        .all(now, 10) as Array<{ detail: string }>;
      db.close();
      expect(plan.map((p) => p.detail).join('; ')).to.contain('USING INDEX reviews_by_status_deadline');
    });

    it('a moderator deciding in another process while the sweep runs: each item is won by exactly one side, atomically', async () => {
      const n = 150;
      const store = await SqliteVerdictStore.open(dir);
      const items = await queue(store, n, 'race');
      await store.close();
      const startAt = String(Date.now() + 1500);
      // The decider goes through the items backwards, the sweep forwards: they meet in the middle.
      const ids = items.map((i) => i.reviewId).reverse();
      const run = (args: string[]) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
            env: { ...process.env, START_AT: startAt },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker ${args[0]} exited ${code}: ${err}`))));
        });
      const [sweepOut] = await Promise.all([run(['sweep', dir, now]), run(['decide', dir, ...ids])]);
      // A second sweep after the race: nothing is left to end.
      const again = await run(['sweep', dir, now]);
      const check = await SqliteVerdictStore.open(dir);
      const split = await checkRace(check, items, [JSON.parse(sweepOut), JSON.parse(again)]);
      await check.close();
      console.log(`      two processes, ${n} items: sweep first on ${split.sweepFirst}, decision first on ${split.decisionFirst}`);
      expect((JSON.parse(again) as ExpirySweep).expired).to.deep.equal([]);
    });

    it('measures a sweep of many due reviews', async () => {
      let k = 0;
      await measure('SQLite', 500, async () => SqliteVerdictStore.open(path.join(dir, String(k++))));
    });
  });

  describe('DynamoDB (dynalite on loopback)', () => {
    let db: Dynalite;
    let client: DynamoDBClient;
    let n = 0;
    const fresh = async () => {
      const table = `expiry-${++n}`;
      await createVerdictTable(client, table);
      return DynamoVerdictStore.open(table, client);
    };
    before(async () => {
      db = await startDynalite();
      client = db.client;
    });
    after(async () => db.close());

    sweepSuite(fresh);

    it('a moderator deciding while two sweeps run (separate clients): each item is won by exactly one side, none counted twice', async () => {
      const store = await fresh();
      const items = await queue(store, 60, 'race');
      const others = await Promise.all([0, 1, 2].map(() => DynamoVerdictStore.open(store.location, client)));
      const counted = [0, 0];
      const sweeps = others
        .slice(0, 2)
        .map((s, k) =>
          expireDueReviews(
            { store: s, notifier: { notify: async () => undefined, expired: async () => void counted[k]++ } },
            { outcome: 'reject', now: new Date(now) },
          ),
        );
      const decider = (async () => {
        for (const i of [...items].reverse()) await others[2].decideReview(i.reviewId, { decision: 'approve', by: 'Racer', at: now });
      })();
      const [a, b] = await Promise.all([...sweeps, decider]);
      const split = await checkRace(store, items, [
        { ...(a as ExpirySweep), counted: counted[0] },
        { ...(b as ExpirySweep), counted: counted[1] },
      ]);
      console.log(`      dynalite, 60 items, 2 sweeps + a moderator: sweep first on ${split.sweepFirst}, decision first on ${split.decisionFirst}`);
    });

    it('measures a sweep of many due reviews', async () => {
      await measure('dynalite', 100, fresh);
    });
  });
});
