/** The last `npm run eval` report (report.json), as written; the page draws its sweep curves. */
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { EvalResponse } from '../api.js';

export interface EvalReportSource {
  path: string;
  read(): Promise<EvalResponse['report'] | undefined>;
}

export function evalReportFile(file: string): EvalReportSource {
  return {
    path: file,
    async read() {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as EvalResponse['report'];
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}

export function evalRoutes(source: EvalReportSource): Hono {
  const r = new Hono();
  r.get('/', async (c) => {
    const report = await source.read();
    if (report === undefined) return c.json({ error: 'NotFound', message: `No eval report at ${source.path} yet: run \`npm run eval\` first.` }, 404);
    return c.json({ path: source.path, report } satisfies EvalResponse);
  });
  return r;
}
