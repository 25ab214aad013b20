/**
 * The page's script: console/page/ (TypeScript modules) bundled by esbuild in memory when the console
 * starts, so a fresh clone needs no build step and the script served is always the source's. Served as
 * one same-origin file, which the CSP (script-src 'self', no inline, no eval) allows.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ConfigError } from '../../functions/shared/errors.js';

/** index.html, style.css and the modules the bundle starts from. */
export const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'page');

let bundled: Promise<string> | undefined;

/** One build per process: every console started in it (the tests start many) serves the same script. */
export function pageScript(): Promise<string> {
  bundled ??= bundle().catch((err: unknown) => {
    bundled = undefined;
    throw err;
  });
  return bundled;
}

async function bundle(): Promise<string> {
  try {
    const out = await build({
      entryPoints: [path.join(PAGE_DIR, 'main.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      // What the Chromium the tests drive (and any current browser) runs natively: nothing is down-levelled.
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      legalComments: 'none',
    });
    return out.outputFiles[0].text;
  } catch (err) {
    throw new ConfigError(`Could not bundle the console's page from ${PAGE_DIR}: ${(err as Error).message}. Run npm run typecheck to see what is wrong.`);
  }
}
