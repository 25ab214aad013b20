import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** Streams the file through sha256: a 25 MB model never sits in memory twice. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

interface Seen {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Files this process has hashed (or written and hashed while writing). A warm Lambda resolves the model
 * on every call; re-hashing 25 MB each time would cost about 100 ms, so a file is trusted again only
 * while its size, mtime and inode are unchanged (a replaced file gets a new inode and is hashed again).
 */
const seen = new Map<string, Seen>();

export async function rememberVerified(file: string, sha256: string): Promise<void> {
  const s = await stat(file);
  seen.set(file, { sha256, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
}

/** The file's sha256, from this process's memory when the file is unchanged, else by hashing it. */
export async function fileSha256Once(file: string): Promise<string> {
  const s = await stat(file);
  const known = seen.get(file);
  if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ino === s.ino) return known.sha256;
  const sha256 = await sha256File(file);
  seen.set(file, { sha256, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
  return sha256;
}

export function forgetVerified(file: string): void {
  seen.delete(file);
}

/**
 * True when `file` holds content with this sha256. A wrong file there is deleted (callers use this on
 * cache entries only), so the next attempt rebuilds it instead of failing forever.
 */
export async function verifiedCacheHit(file: string, sha256: string): Promise<boolean> {
  let actual: string;
  try {
    actual = await fileSha256Once(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
  if (actual === sha256) return true;
  forgetVerified(file);
  await rm(file, { force: true });
  return false;
}
