/**
 * Local mode: the verdict store in one SQLite file (`node:sqlite`, Node >= 22.5) under MODERATION_DATA_DIR.
 * WAL journal and BEGIN IMMEDIATE transactions: several processes (the CLI, `npm run review`, the console)
 * may write at once; every read-modify-write holds the write lock, so no update is lost and a crash
 * mid-way leaves the previous state (SQLite rolls the journal back).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PerceptualHashes, ReviewDecision, ReviewItem, ReviewStatus, Ruleset, VerdictRecord } from '../contracts/index.js';
import { indexKeys, probeKeys } from '../near-duplicate.js';
import { ReviewNotFound, VerdictStoreUnavailable } from '../errors.js';
import {
  decideItem,
  decidedRecord,
  nearIndexHashes,
  nextReviewItem,
  nextVerdictRecord,
  recordWithPost,
  reviewRound,
  rulesetKey,
  tokenKey,
  verifyNearDuplicates,
  withoutLegacyTokens,
} from './rules.js';
import type { DecideResult, ExpireResult, NearDuplicate, NewVerdict, ReviewRequest, VerdictQuery, VerdictStore } from './store.js';

/** The file name inside MODERATION_DATA_DIR. */
export const SQLITE_FILE = 'verdicts.sqlite';

/** The part of node:sqlite used here (typed locally: @types/node for Node 20 has no node:sqlite). */
interface Statement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
type SqliteModule = { DatabaseSync: new (file: string) => Database };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS verdicts (
  sha256 TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  decision TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (sha256, ruleset)
);
CREATE TABLE IF NOT EXISTS verdict_posts (
  post_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  PRIMARY KEY (post_id, sha256, ruleset)
);
-- Near-duplicate band index (functions/shared/near-duplicate.ts): one row per band value of a decided
-- picture's pHashes; a lookup reads the rows of its probe values through the primary key.
CREATE TABLE IF NOT EXISTS near_index (
  band INTEGER NOT NULL,
  value INTEGER NOT NULL,
  ruleset_key TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  hashes TEXT NOT NULL,
  PRIMARY KEY (band, value, ruleset_key, sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reviews (
  review_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  item TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_status ON reviews (status, created_at);
-- Task tokens of the executions waiting on a review, one row each, apart from the item (secrets:
-- the item is what people, pages and the publisher read). One round per opening of the item.
CREATE TABLE IF NOT EXISTS review_tokens (
  review_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  token_key TEXT NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (review_id, round, token_key)
) WITHOUT ROWID;
-- The expiry sweep's index: by status, then deadline (an expression index, so files written before it
-- existed need no migration).
CREATE INDEX IF NOT EXISTS reviews_by_status_deadline ON reviews (status, json_extract(item, '$.deadline'));
`;

async function loadSqlite(): Promise<SqliteModule> {
  try {
    // A variable specifier: TypeScript's Node 20 typings do not know the module.
    const name = 'node:sqlite';
    return (await import(name)) as SqliteModule;
  } catch (err) {
    throw new VerdictStoreUnavailable(
      `The local verdict store needs node:sqlite (Node.js >= 22.5); this is Node ${process.version}. Run with Node 24 (what Lambda runs).`,
      {},
      { cause: err },
    );
  }
}

const nowIso = (): string => new Date().toISOString();

const parseItem = (json: string): ReviewItem => withoutLegacyTokens(JSON.parse(json) as ReviewItem).item;

/**
 * Files written before tokens had a table of their own kept them in the item's JSON: they move to
 * review_tokens (the item's current round) once, at open, in the schema's transaction.
 */
function moveLegacyTokens(db: Database): void {
  const rows = db.prepare("SELECT review_id, item FROM reviews WHERE json_extract(item, '$.taskTokens') IS NOT NULL").all() as Array<{
    review_id: string;
    item: string;
  }>;
  const insert = db.prepare('INSERT OR IGNORE INTO review_tokens (review_id, round, token_key, token) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE reviews SET item = ? WHERE review_id = ?');
  for (const row of rows) {
    const { item, legacyTokens } = withoutLegacyTokens(JSON.parse(row.item) as ReviewItem);
    for (const token of legacyTokens) insert.run(row.review_id, item.round ?? 0, tokenKey(token), token);
    update.run(JSON.stringify(item), row.review_id);
  }
}

export class SqliteVerdictStore implements VerdictStore {
  readonly kind = 'sqlite';

  private constructor(
    readonly location: string,
    private readonly db: Database,
  ) {}

  /** Opens (creating when needed) `<dir>/verdicts.sqlite`; an unusable directory fails here, not per image. */
  static async open(dataDir: string): Promise<SqliteVerdictStore> {
    const { DatabaseSync } = await loadSqlite();
    const file = path.resolve(dataDir, SQLITE_FILE);
    let db: Database | undefined;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      db = new DatabaseSync(file);
      // Another process holding the write lock makes us wait (up to 10 s), not fail.
      db.exec('PRAGMA busy_timeout = 10000');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA}`);
      try {
        moveLegacyTokens(db);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      db?.close();
      throw new VerdictStoreUnavailable(
        `Cannot open the verdict store ${file}: ${(err as Error).message}. Set MODERATION_DATA_DIR to a writable directory.`,
        { file },
        { cause: err },
      );
    }
    return new SqliteVerdictStore(file, db);
  }

  /** Runs `fn` holding SQLite's write lock; any throw rolls everything back. */
  private write<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private readRecord(sha256: string, ruleset: Ruleset): VerdictRecord | undefined {
    const row = this.db.prepare('SELECT record FROM verdicts WHERE sha256 = ? AND ruleset = ?').get(sha256, ruleset) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as VerdictRecord) : undefined;
  }

  private writeRecord(r: VerdictRecord): void {
    this.db
      .prepare(
        `INSERT INTO verdicts (sha256, ruleset, decision, decided_by, updated_at, record) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sha256, ruleset) DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by,
           updated_at = excluded.updated_at, record = excluded.record`,
      )
      .run(r.sha256, r.ruleset, r.decision, r.decidedBy, r.updatedAt, JSON.stringify(r));
    const link = this.db.prepare('INSERT OR IGNORE INTO verdict_posts (post_id, sha256, ruleset) VALUES (?, ?, ?)');
    for (const postId of r.postIds) link.run(postId, r.sha256, r.ruleset);
    const hashes = nearIndexHashes(r);
    if (hashes) {
      const band = this.db.prepare('INSERT OR IGNORE INTO near_index (band, value, ruleset_key, sha256, hashes) VALUES (?, ?, ?, ?, ?)');
      for (const k of indexKeys(hashes)) band.run(k.band, k.value, rulesetKey(r.ruleset), r.sha256, JSON.stringify(hashes));
    }
  }

  async findNearDuplicates(hashes: PerceptualHashes, rulesets: readonly Ruleset[]): Promise<NearDuplicate[]> {
    const byBand = new Map<number, number[]>();
    for (const k of probeKeys(hashes)) byBand.set(k.band, [...(byBand.get(k.band) ?? []), k.value]);
    const candidates = [...byBand].flatMap(([band, values]) =>
      (
        this.db
          .prepare(`SELECT sha256, ruleset_key, hashes FROM near_index WHERE band = ? AND value IN (${values.map(() => '?').join(', ')})`)
          .all(band, ...values) as Array<{ sha256: string; ruleset_key: string; hashes: string }>
      ).map((row) => ({ sha256: row.sha256, rulesetKey: row.ruleset_key, hashes: JSON.parse(row.hashes) as PerceptualHashes })),
    );
    return verifyNearDuplicates(hashes, rulesets, candidates, async (sha256, ruleset) => this.readRecord(sha256, ruleset));
  }

  private readItem(reviewId: string): ReviewItem | undefined {
    const row = this.db.prepare('SELECT item FROM reviews WHERE review_id = ?').get(reviewId) as { item: string } | undefined;
    return row ? parseItem(row.item) : undefined;
  }

  /** Stores a waiting execution's token (once) and answers how many the round holds. */
  private addToken(reviewId: string, round: number, token: string | undefined): number {
    if (token !== undefined) {
      this.db
        .prepare('INSERT OR IGNORE INTO review_tokens (review_id, round, token_key, token) VALUES (?, ?, ?, ?)')
        .run(reviewId, round, tokenKey(token), token);
    }
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM review_tokens WHERE review_id = ? AND round = ?').get(reviewId, round) as { n: number };
    return Number(row.n);
  }

  async taskTokens(reviewId: string): Promise<string[]> {
    const item = this.readItem(reviewId);
    if (!item) return [];
    const rows = this.db.prepare('SELECT token FROM review_tokens WHERE review_id = ? AND round = ?').all(reviewId, item.round ?? 0) as Array<{
      token: string;
    }>;
    return rows.map((r) => r.token);
  }

  private writeItem(item: ReviewItem): void {
    this.db
      .prepare(
        `INSERT INTO reviews (review_id, status, created_at, item) VALUES (?, ?, ?, ?)
         ON CONFLICT (review_id) DO UPDATE SET status = excluded.status, item = excluded.item`,
      )
      .run(item.reviewId, item.status, item.createdAt, JSON.stringify(item));
  }

  async getVerdict(sha256: string, ruleset: Ruleset): Promise<VerdictRecord | undefined> {
    return this.readRecord(sha256, ruleset);
  }

  async findVerdicts(query: VerdictQuery): Promise<VerdictRecord[]> {
    const rows = (
      'sha256' in query
        ? this.db.prepare('SELECT record FROM verdicts WHERE sha256 = ? ORDER BY updated_at DESC').all(query.sha256)
        : this.db
            .prepare(
              `SELECT v.record FROM verdict_posts p JOIN verdicts v ON v.sha256 = p.sha256 AND v.ruleset = p.ruleset
               WHERE p.post_id = ? ORDER BY v.updated_at DESC`,
            )
            .all(query.postId)
    ) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as VerdictRecord);
  }

  async putVerdict(entry: NewVerdict): Promise<VerdictRecord> {
    return this.write(() => {
      const next = nextVerdictRecord(this.readRecord(entry.sha256, entry.ruleset), entry, nowIso());
      this.writeRecord(next);
      return next;
    });
  }

  async addPost(sha256: string, ruleset: Ruleset, postId: string): Promise<VerdictRecord | undefined> {
    return this.write(() => {
      const existing = this.readRecord(sha256, ruleset);
      if (!existing) return undefined;
      if (existing.postIds.includes(postId)) return existing;
      const next = recordWithPost(existing, postId, nowIso());
      this.writeRecord(next);
      return next;
    });
  }

  async requestReview(req: ReviewRequest): Promise<{ item: ReviewItem; record: VerdictRecord }> {
    return this.write(() => {
      const reviewId = nextReviewItem(undefined, req, 0).reviewId;
      const existing = this.readItem(reviewId);
      const item = nextReviewItem(existing, req, this.addToken(reviewId, reviewRound(existing), req.taskToken));
      this.writeItem(item);
      // A decided item keeps its moderator's record; a pending one (re)states the review verdict.
      const record = nextVerdictRecord(
        this.readRecord(req.sha256, req.ruleset),
        { sha256: req.sha256, ruleset: req.ruleset, verdict: item.verdict, postId: req.postId, at: req.at },
        nowIso(),
      );
      this.writeRecord(record);
      return { item, record };
    });
  }

  async getReview(reviewId: string): Promise<ReviewItem | undefined> {
    return this.readItem(reviewId);
  }

  async listReviews(query: { status?: ReviewStatus; limit?: number } = {}): Promise<ReviewItem[]> {
    const limit = query.limit ?? 1000;
    const rows = (
      query.status
        ? this.db.prepare('SELECT item FROM reviews WHERE status = ? ORDER BY created_at, review_id LIMIT ?').all(query.status, limit)
        : this.db.prepare('SELECT item FROM reviews ORDER BY created_at, review_id LIMIT ?').all(limit)
    ) as Array<{ item: string }>;
    return rows.map((r) => parseItem(r.item));
  }

  async listDueReviews(now: string, limit: number): Promise<ReviewItem[]> {
    // Deadlines are ISO-8601 UTC strings of one shape: text order is time order.
    const rows = this.db
      .prepare(
        `SELECT item FROM reviews WHERE status = 'pending' AND json_extract(item, '$.deadline') <= ?
         ORDER BY json_extract(item, '$.deadline'), review_id LIMIT ?`,
      )
      .all(now, limit) as Array<{ item: string }>;
    return rows.map((r) => parseItem(r.item));
  }

  async decideReview(reviewId: string, decision: ReviewDecision): Promise<DecideResult> {
    return this.write(() => {
      const item = this.readItem(reviewId);
      if (!item) throw new ReviewNotFound(`No review ${reviewId} in ${this.location}. List the open ones with: npm run review -- list`, { reviewId });
      const decided = decideItem(item, decision);
      const existing = this.readRecord(item.sha256, item.ruleset);
      // Decided already: the record was written in the same transaction as the decision.
      if (!decided) return { item, record: existing!, changed: false };
      const record = decidedRecord(existing, decided, decision, nowIso());
      // Both rows or neither: a crash between them rolls back to the pending review.
      this.writeItem(decided);
      this.writeRecord(record);
      return { item: decided, record, changed: true };
    });
  }

  async markDelivered(reviewId: string, at: string): Promise<void> {
    this.write(() => {
      const item = this.readItem(reviewId);
      if (item && !item.deliveredAt) this.writeItem({ ...item, deliveredAt: at });
    });
  }

  async expireReview(reviewId: string, at: string): Promise<ExpireResult | undefined> {
    return this.write(() => {
      const item = this.readItem(reviewId);
      if (!item) return undefined;
      if (item.status !== 'pending') return { item, changed: false };
      const expired: ReviewItem = { ...item, status: 'expired', expiredAt: at };
      this.writeItem(expired);
      return { item: expired, changed: true };
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
