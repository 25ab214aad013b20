import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A lock file created with O_EXCL ('wx'), so that concurrent cold starts sharing one cache directory
 * (EFS) download a model once. Correctness never depends on it (every file is renamed into place only
 * after verification, and readers verify again); it only saves duplicate downloads. A holder that dies
 * leaves the file behind, so the holder refreshes its mtime and others take over a lock left untouched
 * for `staleMs`.
 */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  staleMs: number;
}

export async function tryLock(lockPath: string, opts: LockOptions): Promise<HeldLock | undefined> {
  const token = `${os.hostname()} pid ${process.pid} ${randomBytes(6).toString('hex')} ${new Date().toISOString()}\n`;
  let fh;
  try {
    fh = await open(lockPath, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    await fh.writeFile(token);
  } finally {
    await fh.close();
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(50, Math.floor(opts.staleMs / 4)),
  );
  heartbeat.unref();
  return {
    async release() {
      clearInterval(heartbeat);
      // Remove only our own lock: after a stale takeover the file may belong to someone else.
      const current = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (current === token) await rm(lockPath, { force: true });
    },
  };
}

/**
 * Removes the lock if nobody has refreshed it for staleMs. Re-reads the content first so a lock that
 * another waiter has just taken over (new content) is left alone.
 */
export async function breakIfStale(lockPath: string, opts: LockOptions): Promise<boolean> {
  try {
    const before = await readFile(lockPath, 'utf8');
    const s = await stat(lockPath);
    if (Date.now() - s.mtimeMs < opts.staleMs) return false;
    const again = await readFile(lockPath, 'utf8');
    if (again !== before) return false;
    await rm(lockPath, { force: true });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

export interface ProduceOnceOptions extends LockOptions {
  /** How often a waiter looks at the lock file. */
  pollMs: number;
}

/**
 * The cache-fill pattern shared by every model file: `ready` says whether the result already exists
 * (and checks it); only the lock holder calls `produce`; the others wait for the lock to go, then look
 * again, and take over when the holder gave up (its sources failed) or died (stale lock).
 */
export async function produceOnce<T>(lockPath: string, opts: ProduceOnceOptions, ready: () => Promise<T | undefined>, produce: () => Promise<T>): Promise<T> {
  for (;;) {
    const done = await ready();
    if (done !== undefined) return done;
    const lock = await tryLock(lockPath, opts);
    if (lock) {
      try {
        // Someone may have finished between our look and taking the lock.
        return (await ready()) ?? (await produce());
      } finally {
        await lock.release();
      }
    }
    while (await exists(lockPath)) {
      if (await breakIfStale(lockPath, opts)) break;
      await sleep(opts.pollMs);
    }
  }
}
