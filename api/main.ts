/**
 * `npm run serve`: the HTTP API on loopback over the embedded engine and the local stores. Loads the
 * models once at start (an environment fault is a start-up error), then prints its base URL and a
 * per-start token; the routes and their errors are the deployed API's (api/app.ts).
 */
import path from 'node:path';
import type { ServerType } from '@hono/node-server';
import { describeError } from '../functions/shared/errors.js';
import { listenLocal, runWhenEntryPoint, serverMain, type Listening, type ServerIo } from '../cli/local-server.js';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { ExecutionLog } from '../workflows/local/execution-log.js';
import type { CreateLocalWorkflow } from '../workflows/local/workflow.js';
import { createApiApp } from './app.js';
import { localBackend } from './local-backend.js';
import { openApiDocument } from './openapi.js';
import { parseServeArgs, SERVE_USAGE, type ServeOptions } from './options.js';
import { localGuard, newToken } from './security.js';

export interface RunningApi {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  token: string;
  server: ServerType;
  close(): Promise<void>;
}

/** Loaded only once flags are valid: --help and usage errors answer without loading onnxruntime. */
const LOCAL_STEPS_MODULE = '../workflows/local/workflow.js';
const loadLocalWorkflow: CreateLocalWorkflow = async (options) => {
  const mod = (await import(LOCAL_STEPS_MODULE)) as { createLocalWorkflow: CreateLocalWorkflow };
  return mod.createLocalWorkflow(options);
};

export async function startApi(
  opts: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
  createWorkflow: CreateLocalWorkflow = loadLocalWorkflow,
): Promise<RunningApi> {
  const log = await new ExecutionLog(opts.dataDir).open();
  const workflow = await createWorkflow({
    stagingDir: opts.stagingDir,
    dataDir: opts.dataDir,
    mirror: opts.mirror,
    model: opts.model,
    safetyEngine: opts.safetyEngine,
    env,
  });
  const token = newToken();
  let hosts: string[] = [];
  let listening: Listening;
  try {
    const backend = await localBackend({ workflow, log, uploadsDir: path.join(opts.dataDir, 'uploads') });
    const app = createApiApp({
      backend,
      openapi: openApiDocument({ kind: 'local' }),
      maxBytes: DEFAULT_LIMITS.maxBytes,
      guard: localGuard(token, () => hosts),
      onFault: (err) => process.stderr.write(`api: ${describeError(err).name}: ${describeError(err).message}\n`),
    });
    listening = await listenLocal(app.fetch, opts.host, opts.port);
  } catch (err) {
    await workflow.close();
    throw err;
  }
  hosts = listening.hosts;
  return {
    baseUrl: listening.origin,
    token,
    server: listening.server,
    close: async () => {
      await listening.close();
      await workflow.close();
    },
  };
}

export function main(argv: string[], io: ServerIo): Promise<RunningApi | number> {
  return serverMain(argv, io, {
    parse: parseServeArgs,
    usage: SERVE_USAGE,
    start: (opts, env) => startApi(opts, env),
    host: (opts) => opts.host,
    exposure: 'use it',
    banner: (running) =>
      `Moderation API listening (the token changes at every start):\n\n    ${running.baseUrl}\n    token: ${running.token}\n\n` +
      `    curl -H 'Authorization: Bearer ${running.token}' -H 'Content-Type: image/jpeg' --data-binary @photo.jpg ${running.baseUrl}/moderations\n\nCtrl-C to stop.\n`,
  });
}

await runWhenEntryPoint(import.meta.url, main);
