/**
 * Where this checkout's own files are, in one place: the project root (bundles, the model cache, stack
 * files), the shared data directory beside it (SHARED_DIR) and the offline model mirror inside that.
 * Inside a Lambda bundle the root is the bundle's parent directory; nothing there depends on it, because
 * the functions get every path from their environment (MODEL_CACHE_DIR, STAGING_BUCKET).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function rootFromHere(): string {
  try {
    return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  } catch {
    // Bundled without a file URL: the working directory is the best guess.
    return path.resolve('.');
  }
}

export const projectRoot = rootFromHere();

/** The shared data directory (photos, model mirror): $SHARED_DIR, default ../shared beside the checkout. */
export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(projectRoot, env.SHARED_DIR?.trim() || '../shared');
}

/** The offline model mirror: $MODEL_MIRROR, else <shared>/models when it exists, else none. */
export function defaultMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.MODEL_MIRROR?.trim();
  if (set) return path.resolve(set);
  const shared = path.join(sharedDir(env), 'models');
  return existsSync(shared) ? shared : undefined;
}
