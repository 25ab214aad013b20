/**
 * The console's HTTP surface: the page, its script and stylesheet, and the JSON API it calls. Everything
 * the page shows comes through /api as JSON and is put on screen with textContent, never as markup.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { describeError } from '../../functions/shared/errors.js';
import type { StagingStore } from '../../functions/shared/staging/store.js';
import type { AslDefinition } from '../../workflows/asl.js';
import type { ConsoleInfo, GraphResponse, InfoResponse } from './api.js';
import type { ExecutionSource } from './executions.js';
import { layoutDefinition } from './graph.js';
import { PAGE_DIR } from './page-bundle.js';
import { imageRoutes } from './routes/images.js';
import { executionRoutes } from './routes/executions.js';
import { evalRoutes, type EvalReportSource } from './routes/eval.js';
import { reviewRoutes } from './routes/reviews.js';
import type { ReviewActions } from './reviews.js';
import { pageHeaders, requireLocalHost, requireToken } from './security.js';

export interface ConsoleDeps {
  token: string;
  /** The Host header values the console answers to (set once the port is known). */
  hosts: () => string[];
  /** The definition the stack deploys (or the local one): the graph when an execution has none. */
  definition: AslDefinition;
  executions: ExecutionSource;
  staging: StagingStore;
  evalReport: EvalReportSource;
  reviews: ReviewActions;
  /** Who decides through this console (recorded as decidedBy): the person who started it. */
  moderator: string;
  /** Shown in the page's header: where the data comes from (no secrets). */
  info: ConsoleInfo;
  /** The page's bundled script (pageScript()), served as /static/app.js. */
  pageScript: string;
}

export function createConsoleApp(deps: ConsoleDeps): Hono {
  const app = new Hono();
  app.use('*', requireLocalHost(deps.hosts));
  app.use('*', pageHeaders);
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use('/api/*', requireToken(deps.token, { queryTokenPrefix: '/api/images/' }));

  app.get('/api/info', (c) => c.json({ ...deps.info, executions: deps.executions.kind } satisfies InfoResponse));
  app.get('/api/graph', (c) => c.json(layoutDefinition(deps.definition) satisfies GraphResponse));
  app.route('/api/executions', executionRoutes(deps.executions));
  app.route('/api/images', imageRoutes(deps.staging));
  app.route('/api/eval', evalRoutes(deps.evalReport));
  app.route('/api', reviewRoutes(deps.reviews, deps.moderator));
  app.all('/api/*', (c) => c.json({ error: 'NotFound', message: `No API route ${c.req.method} ${c.req.path}.` }, 404));

  // Three files and nothing else: the page's TypeScript sources beside them are not served.
  app.get('/static/app.js', (c) => c.body(deps.pageScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/static/style.css', serveStatic({ root: PAGE_DIR, path: 'style.css' }));
  app.get('/', serveStatic({ root: PAGE_DIR, path: 'index.html' }));
  app.notFound((c) => c.json({ error: 'NotFound', message: `Nothing at ${c.req.path}.` }, 404));
  app.onError((err, c) => {
    const { name, message } = describeError(err);
    return c.json({ error: name, message }, name === 'InvalidInput' ? 400 : 500);
  });
  return app;
}
