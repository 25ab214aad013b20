/** Real inputs for the workflow tests: the shared photos, a loopback HTTP server, hostile files built on the fly. */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { deflateSync, crc32 } from 'node:zlib';
import { sharedDir as sharedDirOf } from '../../functions/shared/project.js';

export { projectRoot } from '../../functions/shared/project.js';
export const sharedDir = sharedDirOf();
export const photosDir = path.join(sharedDir, 'images/imagenet-sample');
export const photo = (name: string): string => path.join(photosDir, name);

export interface FixtureServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves /photo/<file> from the shared photos, an HTML page at /page.html, and 404 for anything else.
 * Bound to 127.0.0.1 only.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/photo/')) {
        const name = path.basename(decodeURIComponent(url.pathname.slice('/photo/'.length)));
        try {
          const body = await readFile(photo(name));
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length });
          res.end(body);
        } catch {
          res.writeHead(404).end('not found');
        }
        return;
      }
      if (url.pathname === '/page.html') {
        // An HTML page that lies about its type, as CDNs sometimes do.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end('<!doctype html><html><head><title>Not an image</title></head><body><img src="/photo/x.jpg"></body></html>');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nobody listens on: the port was bound, then released. */
export async function unreachableUrl(): Promise<string> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/image.jpg`;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A complete, valid 1-bit greyscale PNG of width x height, all black: tiny on disk, gigapixels decoded
 * (a decompression bomb). Built row by row so the test never holds the decoded image.
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0 + zero pixels
  const raw = Buffer.alloc(row.length * height);
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** stdout/stderr for a CLI run in-process, with what each received. */
export function captureIo(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}
