/**
 * `npm run serve`: the HTTP API on loopback over the embedded engine and the local stores. Loads the
 * models once at start (an environment fault is a start-up error), then prints its base URL and a
 * per-start token; the routes and their errors are the deployed API's (api/app.ts).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { ConfigError, describeError } from '../functions/shared/errors.js';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { ExecutionLog } from '../workflows/local/execution-log.js';
import type { CreateLocalWorkflow } from '../workflows/local/workflow.js';
import { createApiApp } from './app.js';
import { localBackend } from './local-backend.js';
import { openApiDocument } from './openapi.js';
import { parseServeArgs, SERVE_USAGE, type ServeOptions } from './options.js';
import { hostNames, localGuard, newToken } from './security.js';

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
  let server: ServerType;
  try {
    const backend = await localBackend({ workflow, log, uploadsDir: path.join(opts.dataDir, 'uploads') });
    const app = createApiApp({
      backend,
      openapi: openApiDocument({ kind: 'local' }),
      maxBytes: DEFAULT_LIMITS.maxBytes,
      guard: localGuard(token, () => hosts),
      onFault: (err) => process.stderr.write(`api: ${describeError(err).name}: ${describeError(err).message}\n`),
    });
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
      s.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new ConfigError(`Port ${opts.port} on ${opts.host} is in use: pass --port <another> (0 picks a free one).`) : err),
      );
    });
  } catch (err) {
    await workflow.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const bound = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  hosts = hostNames(bound, port);
  return {
    baseUrl: `http://${bound}:${port}`,
    token,
    server,
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await workflow.close();
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function main(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): Promise<RunningApi | number> {
  let opts: ServeOptions;
  try {
    const parsed = parseServeArgs(argv, io.env);
    if (parsed.help) {
      io.stdout.write(`${SERVE_USAGE}\n`);
      return 0;
    }
    opts = parsed.options;
  } catch (err) {
    io.stderr.write(`error: ${describeError(err).message}\n`);
    return 2;
  }
  try {
    const running = await startApi(opts, io.env);
    if (!LOOPBACK.has(opts.host)) io.stderr.write(`warning: bound to ${opts.host}, not loopback: anyone who can reach it and has the token can use it.\n`);
    io.stdout.write(
      `Moderation API listening (the token changes at every start):\n\n    ${running.baseUrl}\n    token: ${running.token}\n\n` +
        `    curl -H 'Authorization: Bearer ${running.token}' -H 'Content-Type: image/jpeg' --data-binary @photo.jpg ${running.baseUrl}/moderations\n\nCtrl-C to stop.\n`,
    );
    return running;
  } catch (err) {
    const { name, message } = describeError(err);
    io.stderr.write(`error: ${name === 'Error' ? '' : `${name}: `}${message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  if (typeof result === 'number') process.exitCode = result;
  else {
    const stop = () => void result.close().finally(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
}
