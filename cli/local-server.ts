/**
 * What `npm run serve` (the HTTP API) and `npm run console` share as local servers: listening on a port
 * with a named error when it is taken, the Host names the server answers to, the warning when it is
 * bound beyond loopback, and one main() shape (flags validated first, --help, start-up errors as exit
 * codes, Ctrl-C closing what was opened).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { hostNames, isLoopbackHost } from '../console/server/security.js';
import { ConfigError, describeError } from '../functions/shared/errors.js';

export interface Listening {
  server: ServerType;
  /** http://<host>:<port>, with an IPv6 host in brackets. */
  origin: string;
  /** The Host header values to accept (see hostNames). */
  hosts: string[];
  close(): Promise<void>;
}

export async function listenLocal(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<Listening> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`Port ${port} on ${host} is in use: pass --port <another> (0 picks a free one).`) : err),
    );
  });
  const bound = host.includes(':') ? `[${host}]` : host;
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    origin: `http://${bound}:${actualPort}`,
    hosts: hostNames(bound, actualPort),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

export interface ServerIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface ServerCli<Options, Running> {
  parse(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; options: Options };
  usage: string;
  start(options: Options, env: NodeJS.ProcessEnv): Promise<Running>;
  host(options: Options): string;
  /** What anyone who can reach a server bound beyond loopback, and has its token, can do. */
  exposure: string;
  /** What to print once it listens (the URL and token). */
  banner(running: Running): string;
}

/** Exit codes: 0 after --help, 2 for bad flags, 1 for a start-up error; otherwise the running server. */
export async function serverMain<Options, Running>(argv: string[], io: ServerIo, cli: ServerCli<Options, Running>): Promise<Running | number> {
  let options: Options;
  try {
    const parsed = cli.parse(argv, io.env);
    if (parsed.help) {
      io.stdout.write(`${cli.usage}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (err) {
    io.stderr.write(`error: ${describeError(err).message}\n`);
    return 2;
  }
  try {
    const running = await cli.start(options, io.env);
    const host = cli.host(options);
    if (!isLoopbackHost(host)) io.stderr.write(`warning: bound to ${host}, not loopback: anyone who can reach it and has the token can ${cli.exposure}.\n`);
    io.stdout.write(cli.banner(running));
    return running;
  } catch (err) {
    const { name, message } = describeError(err);
    io.stderr.write(`error: ${name === 'Error' ? '' : `${name}: `}${message}\n`);
    return 1;
  }
}

/** Runs main when the module is the process's entry point; Ctrl-C and SIGTERM close the server first. */
export async function runWhenEntryPoint(
  moduleUrl: string,
  main: (argv: string[], io: ServerIo) => Promise<{ close(): Promise<void> } | number>,
): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href) return;
  const result = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  const stop = () => void result.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
