/**
 * Real inputs for the workflow tests: the shared photos, a loopback HTTP server, hostile files built on
 * the fly; and, for the tests of the definition's routing, small step functions around the real verdict
 * step on a real SQLite file.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { deflateSync, crc32 } from 'node:zlib';
import type { AggregateInput, ClassifyOutput, StagedImage, Verdict } from '../../functions/shared/contracts/index.js';
import { sharedDir as sharedDirOf } from '../../functions/shared/project.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { createVerdictStepHandler } from '../../functions/verdicts/handler.js';
import type { ReviewDeps } from '../../functions/verdicts/deps.js';
import type { DefinitionRefs, ReviewSettings } from '../../workflows/definition.js';
import type { StepHandler } from '../../workflows/local/engine.js';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { reviewMain } from '../../cli/review.js';

export { projectRoot } from '../../functions/shared/project.js';
export const sharedDir = sharedDirOf();
export const photosDir = path.join(sharedDir, 'images/imagenet-sample');
export const photo = (name: string): string => path.join(photosDir, name);

export interface FixtureServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves /photo/<file> from the shared photos, an HTML page at /page.html, and 404 for anything else.
 * Bound to 127.0.0.1 only.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/photo/')) {
        const name = path.basename(decodeURIComponent(url.pathname.slice('/photo/'.length)));
        try {
          const body = await readFile(photo(name));
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length });
          res.end(body);
        } catch {
          res.writeHead(404).end('not found');
        }
        return;
      }
      if (url.pathname === '/page.html') {
        // An HTML page that lies about its type, as CDNs sometimes do.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end('<!doctype html><html><head><title>Not an image</title></head><body><img src="/photo/x.jpg"></body></html>');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nobody listens on: the port was bound, then released. */
export async function unreachableUrl(): Promise<string> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/image.jpg`;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A complete, valid 1-bit greyscale PNG of width x height, all black: tiny on disk, gigapixels decoded
 * (a decompression bomb). Built row by row so the test never holds the decoded image.
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0 + zero pixels
  const raw = Buffer.alloc(row.length * height);
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** stdout/stderr for a CLI run in-process, with what each received. */
export function captureIo(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}

/** The definition's Task resources as the stand-in steps below are bound to them. */
export const STUB_RULESET = 'test-ruleset';
export const QUEUE_REVIEW: ReviewSettings = { mode: 'queue', timeoutSeconds: 3600, timeoutOutcome: 'review' };
export function stubRefs(review: ReviewSettings = QUEUE_REVIEW): DefinitionRefs {
  return {
    fetchImageFunction: 'fetch',
    classifyFunction: 'classify',
    aggregateFunction: 'aggregate',
    safety: { engine: 'local', function: 'safety' },
    verdicts: { function: 'verdicts', ruleset: STUB_RULESET, review },
  };
}

export const STUB_SHA256 = 'ab'.repeat(32);
export const stubImage: StagedImage = {
  uri: 'file:///tmp/x.jpeg',
  key: `staging/ab/${STUB_SHA256}.jpeg`,
  sha256: STUB_SHA256,
  bytes: 10,
  format: 'jpeg',
  width: 1,
  height: 1,
};
export const stubClassification: ClassifyOutput = { labels: [{ label: 'tabby', wnid: 'n02123045', score: 0.9 }], model: { name: 'm', sha256: 's' } };

export function stubVerdict(decision: Verdict['decision'], extra: Partial<Verdict> = {}): Verdict {
  return { decision, reasons: [], seoTags: [], altText: '', labels: [], moderation: [], ...extra };
}

/** An error with the name a step would throw (what Retry and Catch match on). */
export function namedError(name: string, message = `${name} happened`): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export interface StubSteps {
  /** This test's directory (the store's data directory). */
  readonly dir: string;
  readonly store: SqliteVerdictStore;
  /**
   * Stand-ins for fetch, classify, safety and aggregate (approve with the labels as tags; review when an
   * error reached the fail-safe aggregate) and the real verdict step on this test's store.
   */
  handlers(over?: Partial<Record<string, StepHandler>>, verdictDeps?: Omit<ReviewDeps, 'store'>): Record<string, StepHandler>;
}

/**
 * Call inside describe(): a fresh directory and SQLite verdict store for every test (a verdict recorded
 * by one run would answer the next from the store).
 */
export function useStubSteps(prefix: string): StubSteps {
  let dir = '';
  let store: SqliteVerdictStore | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    store = await SqliteVerdictStore.open(dir);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get store() {
      if (!store) throw new Error('useStubSteps: the store is opened in beforeEach; use it inside a test');
      return store;
    },
    handlers(over = {}, verdictDeps = {}) {
      return {
        fetch: async () => ({ image: stubImage }),
        classify: async () => stubClassification,
        safety: async () => ({ engine: 'local', labels: [] }),
        aggregate: async (p) => {
          const a = p as AggregateInput;
          if (a.error) return stubVerdict('review', { reasons: [{ code: 'step-failed', error: a.error.Error, message: `${a.error.state}` }] });
          return stubVerdict('approve', { image: a.image, seoTags: a.classification!.labels.map((l) => l.label) });
        },
        verdicts: async (p) => createVerdictStepHandler({ ...verdictDeps, store: this.store })(p),
        ...over,
      };
    },
  };
}

/** A real local workflow with a real SQLite store in a temporary directory, and `npm run review` on it. */
export interface LocalWorkflowFixture {
  readonly tmp: string;
  readonly dataDir: string;
  readonly workflow: LocalWorkflow;
  review(this: void, ...argv: string[]): Promise<{ code: number; out: string; err: string }>;
}

/** Registers the suite's before/after hooks; read the fields inside tests (they are set by `before`). */
export function useLocalWorkflow(prefix: string): LocalWorkflowFixture {
  let tmp = '';
  let workflow: LocalWorkflow | undefined;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
    workflow = await createLocalWorkflow({ stagingDir: path.join(tmp, 'staging'), dataDir: path.join(tmp, 'data'), safetyEngine: 'local' });
  });
  after(async () => {
    await workflow?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });
  const fixture: LocalWorkflowFixture = {
    get tmp() {
      return tmp;
    },
    get dataDir() {
      return path.join(tmp, 'data');
    },
    get workflow() {
      if (!workflow) throw new Error('the local workflow is created in before(): use it inside a test');
      return workflow;
    },
    async review(...argv) {
      const io = captureIo({ USER: 'tester' });
      const code = await reviewMain([...argv, '--data-dir', fixture.dataDir], io);
      return { code, out: io.out(), err: io.err() };
    },
  };
  return fixture;
}
