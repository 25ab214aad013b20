import type { S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError, FetchFailed, FetchTimeout, ModelNotFoundError } from '../errors.js';
import { integrityError, writeVerified, type Expected } from './atomic.js';
import { sha256File } from './verify.js';
import { defaultS3Client, loadS3 } from '../s3-client.js';

/**
 * A place a model file can be fetched from. fetchTo writes dest atomically and verified (see
 * writeVerified) or throws: ModelNotFoundError when the source does not have the file, ModelIntegrityError
 * when it has a wrong one, FetchFailed/FetchTimeout when it cannot be reached.
 */
export interface ModelSource {
  readonly kind: 'mirror' | 's3' | 'url';
  describe(): string;
  fetchTo(dest: string, expected: Expected): Promise<void>;
}

// --- S3 -------------------------------------------------------------------------------------------

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new ConfigError(`${JSON.stringify(uri)} is not an S3 URI; expected s3://bucket/key.`);
  return { bucket: m[1], key: m[2] };
}

/** GetObject streamed to disk: the Lambda seeds its EFS cache from here on the first cold start. */
export class S3Source implements ModelSource {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly key: string;
  constructor(
    uri: string,
    private readonly client?: S3Client,
  ) {
    ({ bucket: this.bucket, key: this.key } = parseS3Uri(uri));
  }

  describe(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async fetchTo(dest: string, expected: Expected): Promise<void> {
    let body: unknown;
    const [{ GetObjectCommand }, client] = await Promise.all([loadS3(), this.client ? Promise.resolve(this.client) : defaultS3Client()]);
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      body = out.Body;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) {
        throw new ModelNotFoundError(`${this.describe()} does not exist.`, { uri: this.describe() }, { cause: err });
      }
      throw new FetchFailed(
        `GetObject ${this.describe()} failed: ${e.name ?? String(err)}.`,
        { uri: this.describe() },
        {
          cause: err,
        },
      );
    }
    if (!(body instanceof Readable)) {
      throw new FetchFailed(`GetObject ${this.describe()} returned no readable body.`, { uri: this.describe() });
    }
    await writeVerified(dest, body, expected, this.describe());
  }
}

// --- public URL -------------------------------------------------------------------------------------

/** An http(s) download (the zoo's GitHub URLs redirect to LFS storage). Offline it fails fast or times out. */
export class UrlSource implements ModelSource {
  readonly kind = 'url' as const;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 300_000,
  ) {}

  describe(): string {
    return this.url;
  }

  async fetchTo(dest: string, expected: Expected): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    timer.unref();
    try {
      let res: Response;
      try {
        res = await fetch(this.url, { signal: controller.signal, redirect: 'follow' });
      } catch (err) {
        throw this.networkError(err, controller.signal.aborted);
      }
      if (res.status === 404 || res.status === 410) {
        throw new ModelNotFoundError(`${this.url} answered HTTP ${res.status}.`, { url: this.url });
      }
      if (!res.ok || !res.body) {
        throw new FetchFailed(`${this.url} answered HTTP ${res.status}.`, { url: this.url, status: res.status });
      }
      try {
        await writeVerified(dest, Readable.fromWeb(res.body), expected, this.url);
      } catch (err) {
        if (controller.signal.aborted) throw this.networkError(err, true);
        throw err;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private networkError(err: unknown, timedOut: boolean): Error {
    if (timedOut) {
      return new FetchTimeout(`Downloading ${this.url} took longer than ${this.timeoutMs} ms.`, { url: this.url }, { cause: err });
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return new FetchFailed(`Cannot download ${this.url}: ${why}.`, { url: this.url }, { cause: err });
  }
}

// --- offline mirror ----------------------------------------------------------------------------------

interface MirrorManifestHead {
  sha256?: string;
  file?: string;
}

async function readManifestHead(dir: string): Promise<MirrorManifestHead | undefined> {
  try {
    const json = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as MirrorManifestHead;
    return typeof json === 'object' && json !== null ? json : undefined;
  } catch {
    return undefined;
  }
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Labels files are small: hashing every candidate in the mirror is cheaper than guessing its name. */
const MAX_SCANNED_BYTES = 1 << 20;

/**
 * A read-only directory laid out as <root>/<name>/{manifest.json, model.onnx, labels.txt}
 * (../shared/models here). Files are identified by sha256, not by name: the mirror stores every model as
 * model.onnx, and the zoo's synset.txt sits there as mobilenetv2-12-int8/labels.txt.
 *
 * A file the mirror claims is the one asked for (its directory's manifest pins the same sha256, or it
 * is the named file in the model's own directory) must match, or it is a ModelIntegrityError: a corrupt
 * mirror should be repaired, not silently skipped. Other files are only candidates found by content.
 */
export class MirrorSource implements ModelSource {
  readonly kind = 'mirror' as const;
  constructor(
    readonly root: string,
    /** The model's directory name in the mirror. */
    private readonly dirName: string,
    /** File names to look for: e.g. ['model.onnx', 'resnet50-v1-12-int8.onnx'] or ['synset.txt', 'labels.txt']. */
    private readonly fileNames: string[],
  ) {}

  describe(): string {
    return `mirror ${path.join(this.root, this.dirName)}`;
  }

  async fetchTo(dest: string, expected: Expected): Promise<void> {
    const found = await this.locate(expected);
    if (!found) {
      throw new ModelNotFoundError(`${this.fileNames.join(' / ')} with sha256 ${expected.sha256.slice(0, 12)}… is not in the mirror ${this.root}.`, {
        mirror: this.root,
      });
    }
    await writeVerified(dest, createReadStream(found), expected, `mirror file ${found}`);
  }

  /** The mirror file holding the expected content, or undefined. */
  async locate(expected: Expected): Promise<string | undefined> {
    const want = expected.sha256.toLowerCase();
    const own = path.join(this.root, this.dirName);
    const ownManifest = await readManifestHead(own);
    // The model's own directory: trusted by name unless its manifest says it holds another version.
    const ownPinsSomethingElse =
      ownManifest?.sha256 !== undefined && ownManifest.sha256.toLowerCase() !== want && this.fileNames.includes(ownManifest.file ?? 'model.onnx');
    if (!ownPinsSomethingElse) {
      for (const name of this.fileNames) {
        const p = path.join(own, name);
        if (await isFile(p)) return this.claimed(p, expected);
      }
    }
    let dirs: string[];
    try {
      dirs = (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    for (const d of dirs.sort()) {
      const dir = path.join(this.root, d);
      const head = await readManifestHead(dir);
      if (head?.sha256?.toLowerCase() === want) {
        const p = path.join(dir, head.file ?? 'model.onnx');
        if (await isFile(p)) return this.claimed(p, expected);
      }
    }
    // Small files only (labels): find them by content under any name listed.
    for (const d of dirs.sort()) {
      for (const name of new Set([...this.fileNames, 'labels.txt'])) {
        const p = path.join(this.root, d, name);
        const s = await stat(p).catch(() => undefined);
        if (!s?.isFile() || s.size > MAX_SCANNED_BYTES) continue;
        if (expected.bytes !== undefined && s.size !== expected.bytes) continue;
        if ((await sha256File(p)) === want) return p;
      }
    }
    return undefined;
  }

  private async claimed(p: string, expected: Expected): Promise<string> {
    const s = await stat(p);
    if (expected.bytes !== undefined && s.size !== expected.bytes) {
      throw integrityError(p, expected, `${s.size} bytes`, `mirror file ${p}`);
    }
    return p;
  }
}
