/**
 * AWS: the verdict store in one DynamoDB table (on-demand, encrypted, point-in-time recovery; infra/review.ts).
 *
 *   verdict record   pk IMG#<sha256>     sk V#<ruleset>
 *   post → verdict   pk POST#<postId>    sk IMG#<sha256>#V#<ruleset>
 *   review item      pk REVIEW#<id>      sk REVIEW    gsi1pk REVIEWS#<status>  gsi1sk <createdAt>#<id>
 *   near-dup band    pk NEAR#<band>#<value as 4 hex>   sk IMG#<sha256>#<rulesetKey>   hashes
 *   task token       pk TOKEN#<id>       sk R#<round>#<token key>   token, expiresAt (TTL)
 *
 * Task tokens are items of their own, one per waiting execution, never part of the review item: the
 * publisher's policy may read IMG#, POST# and REVIEW# partitions only (dynamodb:LeadingKeys, infra/
 * access.ts), so whoever holds its role cannot read a token and resume an execution with it; and a
 * photo many executions wait on does not grow its review item.
 *
 * Band items (multi-index hashing, near-duplicate.ts) exist for moderator decisions only: 8 per decided
 * picture (4 bands x whole and centre pHash), written before its record. A lookup Queries the partitions
 * of its probe values (at most 136, eventually consistent) and verifies what they hold.
 *
 * Every read-modify-write is optimistic: items carry a version, each write is conditional on the version
 * read, and a lost race re-reads and recomputes with the same rules as SQLite (rules.ts). No
 * TransactWriteItems (dynalite, the tests' server, has none, and it costs double): where one operation
 * writes two items, the review item is written first and is the truth; the verdict record follows it
 * and is repaired from the item if a crash fell between the two (`reconcile`, and deciding again). A
 * task token is written before the item that counts it, so a decision delivered in between finds it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  REVIEW_STATUSES,
  type PerceptualHashes,
  type ReviewDecision,
  type ReviewItem,
  type ReviewStatus,
  type Ruleset,
  type VerdictRecord,
} from '../contracts/index.js';
import { ReviewNotFound, VerdictStoreUnavailable } from '../errors.js';
import { indexKeys, probeKeys, type BandKey } from '../near-duplicate.js';
import {
  decideItem,
  decidedRecord,
  isModeratorDecision,
  nearIndexHashes,
  nextReviewItem,
  nextVerdictRecord,
  recordMatchesItem,
  recordWithPost,
  reviewIdFor,
  reviewRound,
  rulesetKey,
  tokenKey,
  verifyNearDuplicates,
  withoutLegacyTokens,
} from './rules.js';
import type { DecideResult, ExpireResult, NearDuplicate, NewVerdict, ReviewRequest, VerdictQuery, VerdictStore } from './store.js';

/** The table's key schema, shared with the Pulumi program and the tests' dynalite table. */
export const VERDICT_TABLE_SCHEMA = {
  hashKey: 'pk',
  rangeKey: 'sk',
  statusIndex: { name: 'by-status', hashKey: 'gsi1pk', rangeKey: 'gsi1sk' },
  /** DynamoDB's TTL attribute (epoch seconds): only token items carry it; verdicts are kept. */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The partition key prefixes, one per kind of item. The publisher (its IAM policy, the HTTP API's
 * function) reads records, post links and review items; band items are the verdict step's own, and
 * token items are secrets only the verdict step and moderators read.
 */
export const KEY_PREFIXES = { record: 'IMG#', post: 'POST#', review: 'REVIEW#', near: 'NEAR#', token: 'TOKEN#' } as const;
export const PUBLISHER_READABLE_PREFIXES = [KEY_PREFIXES.record, KEY_PREFIXES.post, KEY_PREFIXES.review] as const;

/** How long a token item outlives its execution's deadline before DynamoDB's TTL deletes it (a used or timed-out token resumes nothing). */
const TOKEN_KEPT_SECONDS = 7 * 24 * 3600;

type Write = PutCommandInput;
interface Stored<T> {
  data: T;
  version: number;
}

interface StoredItem extends Stored<ReviewItem> {
  /** Tokens an item written before token items existed still holds (moved out at its next write). */
  legacyTokens: string[];
}

const K = KEY_PREFIXES;
const recordKey = (sha256: string, ruleset: Ruleset) => ({ pk: `${K.record}${sha256}`, sk: `V#${ruleset}` });
const postKey = (postId: string, sha256: string, ruleset: Ruleset) => ({ pk: `${K.post}${postId}`, sk: `IMG#${sha256}#V#${ruleset}` });
const reviewKey = (reviewId: string) => ({ pk: `${K.review}${reviewId}`, sk: 'REVIEW' });
const bandPk = (k: BandKey) => `${K.near}${k.band}#${k.value.toString(16).padStart(4, '0')}`;
const tokenPk = (reviewId: string) => `${K.token}${reviewId}`;
/** The trailing # keeps round 1's prefix from matching round 10's keys. */
const roundPrefix = (round: number) => `R#${round}#`;
/** Band partitions read at once by one lookup (the SDK's default socket pool is 50). */
const NEAR_QUERY_CONCURRENCY = 16;
const nowIso = (): string => new Date().toISOString();

/** Attempts at an optimistic write before giving up (each after a jittered, growing pause, at most 0.5 s). */
const MAX_ATTEMPTS = 30;

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export class DynamoVerdictStore implements VerdictStore {
  readonly kind = 'dynamodb';

  private constructor(
    readonly location: string,
    private readonly doc: DynamoDBDocumentClient,
    private readonly lib: typeof import('@aws-sdk/lib-dynamodb'),
    private readonly ownsClient: boolean,
  ) {}

  /** Checks the table answers (DescribeTable) so a missing table or permission fails at start-up. */
  static async open(table: string, client?: DynamoDBClient): Promise<DynamoVerdictStore> {
    const [ddb, lib] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
    const raw = client ?? new ddb.DynamoDBClient({});
    const doc = lib.DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    try {
      const res = await raw.send(new ddb.DescribeTableCommand({ TableName: table }));
      if (res.Table?.TableStatus !== 'ACTIVE' && res.Table?.TableStatus !== 'UPDATING') throw new Error(`table status ${res.Table?.TableStatus}`);
    } catch (err) {
      throw new VerdictStoreUnavailable(
        `The verdict table ${table} cannot be used: ${(err as Error).message}. Check VERDICT_TABLE, the region and the role's DynamoDB permissions.`,
        { table },
        { cause: err },
      );
    }
    return new DynamoVerdictStore(table, doc, lib, !client);
  }

  private async read<T>(key: { pk: string; sk: string }): Promise<Stored<T> | undefined> {
    const res = await this.doc.send(new this.lib.GetCommand({ TableName: this.location, Key: key, ConsistentRead: true }));
    return res.Item ? { data: res.Item.data as T, version: res.Item.version as number } : undefined;
  }

  /** A Put that only succeeds if nobody wrote the item since we read it at `prev`. */
  private put(key: { pk: string; sk: string }, data: unknown, prev: number | undefined, extra: Record<string, unknown> = {}): Write {
    return {
      TableName: this.location,
      Item: { ...key, ...extra, data, version: (prev ?? 0) + 1 },
      ...(prev === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': prev } }),
    };
  }

  /**
   * Post links and band items first (idempotent; a link without its record is skipped by findVerdicts,
   * a band item without a decided record by findNearDuplicates), then the record.
   */
  private async writeRecord(next: VerdictRecord, cur: Stored<VerdictRecord> | undefined): Promise<void> {
    const before = new Set(cur?.data.postIds ?? []);
    const hashes = nearIndexHashes(next);
    const indexed = cur && nearIndexHashes(cur.data) !== undefined;
    await Promise.all([
      ...next.postIds
        .filter((p) => !before.has(p))
        .map((p) => this.write({ TableName: this.location, Item: { ...postKey(p, next.sha256, next.ruleset), sha256: next.sha256, ruleset: next.ruleset } })),
      ...(hashes && !indexed
        ? indexKeys(hashes).map((k) =>
            this.write({
              TableName: this.location,
              Item: { pk: bandPk(k), sk: `IMG#${next.sha256}#${rulesetKey(next.ruleset)}`, sha256: next.sha256, rulesetKey: rulesetKey(next.ruleset), hashes },
            }),
          )
        : []),
    ]);
    await this.write(
      this.put(recordKey(next.sha256, next.ruleset), next, cur?.version, { updatedAt: next.updatedAt, decision: next.decision, decidedBy: next.decidedBy }),
    );
  }

  private async readItem(reviewId: string): Promise<StoredItem | undefined> {
    const cur = await this.read<ReviewItem>(reviewKey(reviewId));
    if (!cur) return undefined;
    const { item, legacyTokens } = withoutLegacyTokens(cur.data);
    return { data: item, version: cur.version, legacyTokens };
  }

  /** Writes the item conditional on the version read; tokens an old item still held move to token items first. */
  private async writeItem(item: ReviewItem, cur: StoredItem | undefined): Promise<void> {
    if (cur?.legacyTokens.length) {
      const round = cur.data.round ?? 0;
      await Promise.all(cur.legacyTokens.map((t) => this.putToken(cur.data.reviewId, round, t, cur.data.deadline)));
    }
    await this.write(
      this.put(reviewKey(item.reviewId), item, cur?.version, {
        status: item.status,
        [VERDICT_TABLE_SCHEMA.statusIndex.hashKey]: `REVIEWS#${item.status}`,
        [VERDICT_TABLE_SCHEMA.statusIndex.rangeKey]: `${item.createdAt}#${item.reviewId}`,
      }),
    );
  }

  /** One item per waiting execution (idempotent: the same token lands on the same key). */
  private async putToken(reviewId: string, round: number, token: string, deadline: string): Promise<void> {
    const expiresAt = Math.ceil((Date.parse(deadline) || Date.now()) / 1000) + TOKEN_KEPT_SECONDS;
    await this.write({
      TableName: this.location,
      Item: { pk: tokenPk(reviewId), sk: `${roundPrefix(round)}${tokenKey(token)}`, token, [VERDICT_TABLE_SCHEMA.ttlAttribute]: expiresAt },
    });
  }

  private async roundTokens(reviewId: string, round: number): Promise<string[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :round)',
      ExpressionAttributeValues: { ':pk': tokenPk(reviewId), ':round': roundPrefix(round) },
      ProjectionExpression: '#token',
      ExpressionAttributeNames: { '#token': 'token' },
      ConsistentRead: true,
    });
    return items.map((i) => i.token as string);
  }

  async taskTokens(reviewId: string): Promise<string[]> {
    const cur = await this.readItem(reviewId);
    if (!cur) return [];
    return [...new Set([...cur.legacyTokens, ...(await this.roundTokens(reviewId, cur.data.round ?? 0))])];
  }

  private async write(put: Write): Promise<void> {
    await this.doc.send(new this.lib.PutCommand(put));
  }

  /**
   * The record as the review item says it must be: a crash between writing a decided item and its record
   * leaves a "review" record behind; the decided item wins and the record is rewritten from it.
   */
  private async reconcile(record: Stored<VerdictRecord> | undefined, item: ReviewItem | undefined): Promise<VerdictRecord | undefined> {
    if (!item || recordMatchesItem(record?.data, item)) return record?.data;
    const repaired = decidedRecord(
      record?.data,
      item,
      { decision: item.status === 'approved' ? 'approve' : 'reject', by: item.decidedBy!, note: item.note, at: item.decidedAt! },
      nowIso(),
    );
    await this.optimistic(async () => {
      const cur = await this.read<VerdictRecord>(recordKey(item.sha256, item.ruleset));
      if (!recordMatchesItem(cur?.data, item)) await this.writeRecord(repaired, cur);
    });
    return repaired;
  }

  /** Re-reads and recomputes after a lost race; anything but a condition failure is passed on. */
  private async optimistic<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isConditionFailure(err) || i >= MAX_ATTEMPTS) throw err;
        await sleep(Math.random() * Math.min(500, 5 * 2 ** i));
      }
    }
  }

  async getVerdict(sha256: string, ruleset: Ruleset): Promise<VerdictRecord | undefined> {
    const record = await this.read<VerdictRecord>(recordKey(sha256, ruleset));
    // A policy record tied to a review (pending, or ended by the timeout) follows the item if a person decided it.
    if (!record?.data.reviewId || isModeratorDecision(record.data)) return record?.data;
    return this.reconcile(record, await this.getReview(record.data.reviewId));
  }

  private async queryAll(input: Record<string, unknown>, limit = Infinity): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new this.lib.QueryCommand({ TableName: this.location, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out.slice(0, limit === Infinity ? undefined : limit);
  }

  async findVerdicts(query: VerdictQuery): Promise<VerdictRecord[]> {
    let records: VerdictRecord[];
    if ('sha256' in query) {
      const items = await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': `IMG#${query.sha256}`, ':v': 'V#' },
      });
      records = items.map((i) => i.data as VerdictRecord);
    } else {
      const links = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `POST#${query.postId}` } });
      const found = await Promise.all(links.map((l) => this.getVerdict(l.sha256 as string, l.ruleset as string)));
      records = found.filter((r): r is VerdictRecord => r !== undefined);
    }
    return records.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async findNearDuplicates(hashes: PerceptualHashes, rulesets: readonly Ruleset[]): Promise<NearDuplicate[]> {
    const keys = probeKeys(hashes);
    const candidates: Array<{ sha256: string; rulesetKey: string; hashes: PerceptualHashes }> = [];
    for (let i = 0; i < keys.length; i += NEAR_QUERY_CONCURRENCY) {
      const pages = await Promise.all(
        keys.slice(i, i + NEAR_QUERY_CONCURRENCY).map((k) =>
          this.queryAll({
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': bandPk(k) },
            ProjectionExpression: 'sha256, rulesetKey, hashes',
          }),
        ),
      );
      for (const item of pages.flat())
        candidates.push({ sha256: item.sha256 as string, rulesetKey: item.rulesetKey as string, hashes: item.hashes as PerceptualHashes });
    }
    return verifyNearDuplicates(hashes, rulesets, candidates, (sha256, ruleset) => this.getVerdict(sha256, ruleset));
  }

  async putVerdict(entry: NewVerdict): Promise<VerdictRecord> {
    return this.optimistic(async () => {
      const cur = await this.read<VerdictRecord>(recordKey(entry.sha256, entry.ruleset));
      const next = nextVerdictRecord(cur?.data, entry, nowIso());
      await this.writeRecord(next, cur);
      return next;
    });
  }

  async addPost(sha256: string, ruleset: Ruleset, postId: string, at?: string): Promise<VerdictRecord | undefined> {
    return this.optimistic(async () => {
      const cur = await this.read<VerdictRecord>(recordKey(sha256, ruleset));
      if (!cur) return undefined;
      if (cur.data.postIds.includes(postId)) return cur.data;
      const next = recordWithPost(cur.data, postId, at ?? nowIso());
      await this.writeRecord(next, cur);
      return next;
    });
  }

  async requestReview(req: ReviewRequest): Promise<{ item: ReviewItem; record: VerdictRecord }> {
    const reviewId = reviewIdFor(req.sha256, req.ruleset);
    const item = await this.optimistic(async () => {
      const cur = await this.readItem(reviewId);
      const round = reviewRound(cur?.data);
      // The token before the item that counts it: a decision delivered in between already finds it.
      if (req.taskToken !== undefined) await this.putToken(reviewId, round, req.taskToken, req.deadline);
      const stillLegacy = round === (cur?.data.round ?? 0) ? (cur?.legacyTokens ?? []) : [];
      const waiting = new Set([...stillLegacy, ...(await this.roundTokens(reviewId, round))]).size;
      const next = nextReviewItem(cur?.data, req, waiting);
      await this.writeItem(next, cur);
      return next;
    });
    const record = await this.optimistic(async () => {
      const cur = await this.read<VerdictRecord>(recordKey(req.sha256, req.ruleset));
      const next = nextVerdictRecord(cur?.data, { sha256: req.sha256, ruleset: req.ruleset, verdict: item.verdict, postId: req.postId, at: req.at }, nowIso());
      await this.writeRecord(next, cur);
      return next;
    });
    return { item, record: (await this.reconcile({ data: record, version: 0 }, item)) ?? record };
  }

  async getReview(reviewId: string): Promise<ReviewItem | undefined> {
    return (await this.readItem(reviewId))?.data;
  }

  async listReviews(query: { status?: ReviewStatus; limit?: number } = {}): Promise<ReviewItem[]> {
    const limit = query.limit ?? 1000;
    const statuses = query.status ? [query.status] : REVIEW_STATUSES;
    const { name, hashKey } = VERDICT_TABLE_SCHEMA.statusIndex;
    const lists = await Promise.all(
      statuses.map((s) =>
        this.queryAll({ IndexName: name, KeyConditionExpression: `${hashKey} = :s`, ExpressionAttributeValues: { ':s': `REVIEWS#${s}` } }, limit),
      ),
    );
    return lists
      .flat()
      .map((i) => withoutLegacyTokens(i.data as ReviewItem).item)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.reviewId.localeCompare(b.reviewId))
      .slice(0, limit);
  }

  /**
   * The pending partition of the status index, filtered on the deadline by DynamoDB: it reads the open
   * queue (arrivals x timeout, not the history) and returns only the due items. Items written before the
   * sweep existed are found too (no new attribute or index to backfill).
   */
  async listDueReviews(now: string, limit: number): Promise<ReviewItem[]> {
    const { name, hashKey } = VERDICT_TABLE_SCHEMA.statusIndex;
    const items = await this.queryAll(
      {
        IndexName: name,
        KeyConditionExpression: `${hashKey} = :s`,
        FilterExpression: '#data.#deadline <= :now',
        ExpressionAttributeNames: { '#data': 'data', '#deadline': 'deadline' },
        ExpressionAttributeValues: { ':s': 'REVIEWS#pending', ':now': now },
      },
      limit,
    );
    return items
      .map((i) => withoutLegacyTokens(i.data as ReviewItem).item)
      .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.reviewId.localeCompare(b.reviewId));
  }

  async decideReview(reviewId: string, decision: ReviewDecision): Promise<DecideResult> {
    // The item is the linearization point: whoever decides it first wins; the record follows.
    const { item, changed } = await this.optimistic(async () => {
      const cur = await this.readItem(reviewId);
      if (!cur)
        throw new ReviewNotFound(`No review ${reviewId} in table ${this.location}. List the open ones with: npm run review -- list --stack`, { reviewId });
      const decided = decideItem(cur.data, decision);
      if (!decided) return { item: cur.data, changed: false };
      await this.writeItem(decided, cur);
      return { item: decided, changed: true };
    });
    // Deciding again also repairs a record a crash left behind.
    const record = await this.reconcile(await this.read<VerdictRecord>(recordKey(item.sha256, item.ruleset)), item);
    return { item, record: record!, changed };
  }

  async markDelivered(reviewId: string, at: string): Promise<void> {
    await this.optimistic(async () => {
      const cur = await this.readItem(reviewId);
      if (!cur || cur.data.deliveredAt) return;
      await this.writeItem({ ...cur.data, deliveredAt: at }, cur);
    });
  }

  async expireReview(reviewId: string, at: string): Promise<ExpireResult | undefined> {
    // Conditional on the version read: a decision written in between makes this attempt fail and re-read.
    return this.optimistic(async () => {
      const cur = await this.readItem(reviewId);
      if (!cur) return undefined;
      if (cur.data.status !== 'pending') return { item: cur.data, changed: false };
      const expired: ReviewItem = { ...cur.data, status: 'expired', expiredAt: at };
      await this.writeItem(expired, cur);
      return { item: expired, changed: true };
    });
  }

  async close(): Promise<void> {
    // A client handed in belongs to the caller (destroying the document client destroys it too).
    if (this.ownsClient) this.doc.destroy();
  }
}
