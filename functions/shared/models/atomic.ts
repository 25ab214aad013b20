import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModelIntegrityError } from '../errors.js';
import { rememberVerified } from './verify.js';

export interface Expected {
  sha256: string;
  bytes?: number;
}

/** Temp files sit beside their destination so the final rename stays on one file system (atomic on EFS too). */
export function tempPathFor(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function fsyncPath(p: string, flags: string): Promise<void> {
  const fh = await open(p, flags);
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems refuse fsync on a directory; the data itself was already synced.
    if (flags === 'r' && ['EINVAL', 'EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
    throw err;
  } finally {
    await fh.close();
  }
}

/**
 * Writes `body` to `dest` so that no reader ever sees a partial or unverified file: stream into a temp
 * file beside dest while hashing, fsync, compare with the pinned sha256 (and size), then rename. On any
 * failure the temp file is removed; on a mismatch the error says what arrived and from where.
 */
export async function writeVerified(dest: string, body: Readable, expected: Expected, from: string): Promise<void> {
  const tmp = tempPathFor(dest);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      // A source sending more than the pinned size is wrong already: stop instead of filling the disk.
      if (expected.bytes !== undefined && bytes > expected.bytes) {
        done(integrityError(dest, expected, `more than ${expected.bytes} bytes`, from));
        return;
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, tap, createWriteStream(tmp, { flags: 'wx' }));
    const actual = hash.digest('hex');
    if (actual !== expected.sha256.toLowerCase() || (expected.bytes !== undefined && bytes !== expected.bytes)) {
      throw integrityError(dest, expected, `sha256 ${actual} (${bytes} bytes)`, from);
    }
    await fsyncPath(tmp, 'r+');
    await rename(tmp, dest);
    await fsyncPath(path.dirname(dest), 'r');
    await rememberVerified(dest, actual);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function integrityError(file: string, expected: Expected, actual: string, from: string): ModelIntegrityError {
  return new ModelIntegrityError(
    `${path.basename(file)} from ${from} does not match its pin: expected sha256 ${expected.sha256}` +
      `${expected.bytes !== undefined ? ` (${expected.bytes} bytes)` : ''}, got ${actual}. Nothing was kept. ` +
      'Replace the file at that source with the pinned one (or fix the sha256 in the catalog / MODEL_SHA256 if the model changed on purpose).',
    { file: path.basename(file), expected: expected.sha256, actual, from },
  );
}
