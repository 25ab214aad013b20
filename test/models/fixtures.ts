import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelManifest } from '../../functions/shared/models/manifest.js';
import { sharedDir as sharedDirOf } from '../../functions/shared/project.js';

export { projectRoot } from '../../functions/shared/project.js';
export const sharedDir = sharedDirOf();
/** The offline model mirror every developer and CI has beside the checkout. */
export const mirrorDir = path.join(sharedDir, 'models');

export const sha256Of = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** A fresh temp directory per test, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `models-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Route {
  body: Buffer;
  /** Sent in this many chunks with chunkDelayMs between them: a slow source for the race tests. */
  chunks?: number;
  chunkDelayMs?: number;
  /** The last chunk waits for this: keeps a download in flight until the test says so. */
  gate?: Promise<void>;
}

export interface LoopbackServer {
  url: string;
  /** Requests per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 serving fixed bodies by path; anything else is 404. */
export async function serveFiles(routes: Record<string, Route>, notFound?: (res: http.ServerResponse) => void): Promise<LoopbackServer> {
  const hits = new Map<string, number>();
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- node ignores the returned promise; a failure here shows as the test's timeout
  const server = http.createServer(async (req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const route = routes[p];
    if (!route || req.method !== 'GET') {
      if (notFound) notFound(res);
      else res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': route.body.length,
      etag: `"${sha256Of(route.body).slice(0, 32)}"`,
      'last-modified': new Date(0).toUTCString(),
    });
    const n = route.chunks ?? 1;
    const size = Math.ceil(route.body.length / n);
    for (let i = 0; i < n; i++) {
      if (res.destroyed) return;
      res.write(route.body.subarray(i * size, (i + 1) * size));
      if (route.chunkDelayMs && i < n - 1) await sleep(route.chunkDelayMs);
      if (route.gate && i === n - 2) await route.gate;
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Two classes in synset form, so fake models need no synset list. */
export const FAKE_LABELS = Buffer.from('n00000001 first, one\nn00000002 second\n');

/** A small fake "model" (bytes are never loaded by onnxruntime here) pinned like a real catalog entry. */
export function fakeManifest(name: string, model: Buffer, opts: { url?: string; labelsUrl?: string } = {}): ModelManifest {
  return {
    name,
    task: 'test double',
    file: `${name}.onnx`,
    sha256: sha256Of(model),
    bytes: model.length,
    license: 'test',
    ...(opts.url ? { url: opts.url } : {}),
    input: {
      dtype: 'float32',
      layout: 'NCHW',
      channels: 'RGB',
      width: 224,
      height: 224,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'shorter side to 256 (aspect kept), then centre crop 224x224',
    },
    output: {
      kind: 'logits',
      classes: 2,
      labels: 'labels.txt',
      labelsSha256: sha256Of(FAKE_LABELS),
      ...(opts.labelsUrl ? { labelsUrl: opts.labelsUrl } : {}),
      labelOffset: 0,
    },
  };
}

/** Every file under dir, relative (to assert that no temp or lock files are left behind). */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
