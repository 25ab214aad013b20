/**
 * Start-up checks of a directory the process writes to (the staging directory, the model cache): made
 * level by level and probed with a real write, so an environment fault is one ConfigError before any
 * image (never a verdict per image), and never a hang: Node's recursive mkdir loops forever under /proc.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './errors.js';

function unusable(dir: string, setting: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `${setting} ${dir} is not a writable directory (${why}). Point ${setting} at a directory this process can write.`,
    { dir, setting },
    { cause },
  );
}

/** Creates `dir` and its missing parents one level at a time; returns the directories it created, outermost first. */
export async function makeDirs(dir: string, setting: string): Promise<string[]> {
  const missing: string[] = [];
  for (let cur = path.resolve(dir); ; cur = path.dirname(cur)) {
    const s = await stat(cur).catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? undefined : Promise.reject(unusable(dir, setting, err.code ?? err.message, err)),
    );
    if (s) {
      if (!s.isDirectory()) throw unusable(dir, setting, `${cur} is not a directory`);
      break;
    }
    missing.push(cur);
    if (path.dirname(cur) === cur) break;
  }
  const created: string[] = [];
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
      created.push(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw unusable(dir, setting, code ?? (err as Error).message, err);
    }
  }
  return created;
}

/** makeDirs, then a probe file written and removed: permissions, read-only mounts and full disks show here. */
export async function ensureWritableDir(dir: string, setting: string): Promise<void> {
  await makeDirs(dir, setting);
  const probe = path.join(dir, `.write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw unusable(dir, setting, (err as NodeJS.ErrnoException).code ?? (err as Error).message, err);
  } finally {
    await rm(probe, { force: true });
  }
}

/** Removes the directories makeDirs created when they stayed empty (a failed download leaves nothing behind). */
export async function removeIfEmpty(created: string[]): Promise<void> {
  for (const d of [...created].reverse()) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
  }
}
