import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { createFetchImageHandler } from '../../functions/fetch-image/handler.js';
import type { FetchConfig } from '../../functions/fetch-image/config.js';
import type { ModerationInput } from '../../functions/shared/contracts/index.js';
import {
  CorruptImage,
  EmptyImage,
  FetchBlocked,
  FetchFailed,
  FetchTimeout,
  ImageTooLarge,
  InvalidInput,
  PixelLimitExceeded,
  UnsupportedImageFormat,
} from '../../functions/shared/errors.js';
import { LocalStagingStore } from '../../functions/shared/staging/index.js';
import { tempDir } from '../models/fixtures.js';
import { photo, pngBomb, unreachableUrl } from '../workflow/fixtures.js';

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function server(routes: Record<string, Route>) {
  const s = http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else res.writeHead(404).end('not found');
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const send =
  (body: Buffer | string, headers: Record<string, string | number> = {}): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
const redirect =
  (to: string): Route =>
  (_req, res) =>
    res.writeHead(302, { location: to }).end();

describe('fetch-image over real HTTP on loopback', function () {
  this.timeout(20_000);
  let staging: Awaited<ReturnType<typeof tempDir>>;
  let srv: Awaited<ReturnType<typeof server>>;
  let zebra: Buffer;
  let fetchWith: (input: ModerationInput | string, config?: Partial<FetchConfig>) => ReturnType<ReturnType<typeof createFetchImageHandler>>;

  before(async () => {
    staging = await tempDir('fetch-staging-');
    zebra = await readFile(photo('n02391049_zebra.JPEG'));
    const big = Buffer.alloc(300_000, 0xff);
    srv = await server({
      '/zebra.jpg': send(zebra),
      '/html-as-jpeg': send('<!doctype html><html><body>hi</body></html>'),
      '/drawing.svg': send('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', {
        'content-type': 'image/svg+xml',
      }),
      '/empty.jpg': send(Buffer.alloc(0)),
      '/truncated.jpg': send(zebra.subarray(0, Math.floor(zebra.length / 2))),
      '/bomb.png': send(pngBomb(30000, 30000), { 'content-type': 'image/png' }),
      '/big-declared': send(big),
      '/big-chunked': (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(zebra.subarray(0, 100));
        res.end(big);
      },
      '/stall': (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(zebra.subarray(0, 100));
      },
      '/server-error': (_req, res) => res.writeHead(500).end('boom'),
      '/r1': redirect('/r2'),
      '/r2': redirect('/r3'),
      '/r3': redirect('/r4'),
      '/r4': redirect('/zebra.jpg'),
      '/two-hops': redirect('/r3'),
      '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/iam/'),
      '/to-other-loopback': redirect('http://127.0.0.2:9/x.jpg'),
    });
    fetchWith = (input, config = {}) =>
      createFetchImageHandler({ store: new LocalStagingStore(staging.dir), config: { allowHosts: ['127.0.0.1'], ...config } })({
        input: typeof input === 'string' ? { imageUrl: input } : input,
      });
  });
  after(async () => {
    await srv.close();
    await staging.cleanup();
  });

  async function expectError(p: Promise<unknown>, type: new (...a: never[]) => Error, pattern?: RegExp) {
    try {
      await p;
    } catch (err) {
      expect(err, (err as Error).message).to.be.instanceOf(type);
      if (pattern) expect((err as Error).message).to.match(pattern);
      return;
    }
    expect.fail(`expected ${type.name}`);
  }

  it('stages a real photo content-addressed and returns only the pointer', async () => {
    const { image } = await fetchWith(`${srv.origin}/zebra.jpg`);
    const sha = createHash('sha256').update(zebra).digest('hex');
    expect(image).to.include({ sha256: sha, bytes: zebra.length, format: 'jpeg' });
    const meta = await sharp(zebra).metadata();
    expect(image).to.include({ width: meta.width, height: meta.height });
    expect(await readFile(new URL(image.uri))).to.deep.equal(zebra);
    const again = await fetchWith(`${srv.origin}/two-hops`);
    expect(again.image.key).to.equal(image.key);
  });

  it('refuses what is not an image, whatever the Content-Type says', async () => {
    await expectError(fetchWith(`${srv.origin}/html-as-jpeg`), UnsupportedImageFormat, /HTML/);
    await expectError(fetchWith(`${srv.origin}/drawing.svg`), UnsupportedImageFormat);
    await expectError(fetchWith(`${srv.origin}/empty.jpg`), EmptyImage);
    await expectError(fetchWith(`${srv.origin}/truncated.jpg`), CorruptImage);
    await expectError(fetchWith(`${srv.origin}/bomb.png`), PixelLimitExceeded, /30000x30000/);
  });

  it('caps the body with and without Content-Length', async () => {
    await expectError(fetchWith(`${srv.origin}/big-declared`, { maxBytes: 100_000 }), ImageTooLarge);
    await expectError(fetchWith(`${srv.origin}/big-chunked`, { maxBytes: 100_000 }), ImageTooLarge);
  });

  it('gives up on a stalled server after the timeout', async () => {
    await expectError(fetchWith(`${srv.origin}/stall`, { timeoutMs: 300 }), FetchTimeout, /300 ms/);
  });

  it('names HTTP failures, refused connections, unknown hosts and redirect loops', async () => {
    await expectError(fetchWith(`${srv.origin}/missing.jpg`), FetchFailed, /404/);
    await expectError(fetchWith(`${srv.origin}/server-error`), FetchFailed, /500/);
    await expectError(fetchWith(await unreachableUrl()), FetchFailed, /ECONNREFUSED/);
    await expectError(fetchWith('http://no-such-host.invalid/a.jpg'), FetchFailed, /resolve/);
    await expectError(fetchWith(`${srv.origin}/r1`), FetchFailed, /redirected more than 3/);
  });

  it('checks every redirect hop before connecting: the metadata service and other loopback hosts are blocked', async () => {
    await expectError(fetchWith(`${srv.origin}/to-metadata`), FetchBlocked, /169\.254\.169\.254/);
    await expectError(fetchWith(`${srv.origin}/to-other-loopback`), FetchBlocked, /127\.0\.0\.2/);
  });

  it('blocks non-public addresses (and names that resolve to them) unless allow-listed', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/a.jpg',
      'http://192.168.0.1/a.jpg',
      'http://[::1]/a.jpg',
      'http://[fd00::1]/a.jpg',
      'http://0.0.0.0/a.jpg',
      'http://2130706433/a.jpg',
      'http://0x7f.1/a.jpg',
    ]) {
      await expectError(fetchWith(url, { allowHosts: [] }), FetchBlocked);
    }
    // "localhost" goes through DNS (the custom lookup), not the literal check.
    await expectError(fetchWith(`${srv.origin.replace('127.0.0.1', 'localhost')}/zebra.jpg`, { allowHosts: [] }), FetchBlocked, /loopback/);
  });

  it('reads local files only when allowed, and refuses bad input', async () => {
    await expectError(fetchWith(photo('n02391049_zebra.JPEG')), FetchBlocked, /local CLI/);
    const { image } = await fetchWith(photo('n02391049_zebra.JPEG'), { allowLocalFiles: true });
    expect(image.format).to.equal('jpeg');
    await expectError(fetchWith('/no/such/file.jpg', { allowLocalFiles: true }), FetchFailed, /ENOENT/);
    await expectError(fetchWith({} as ModerationInput), InvalidInput);
    await expectError(fetchWith('ftp://example.com/a.jpg'), FetchBlocked);
  });

  it('accepts every format it claims to (generated with sharp)', async () => {
    const dir = await tempDir('fetch-formats-');
    try {
      const base = sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 20 } } });
      const encoded = {
        jpeg: await base.clone().jpeg().toBuffer(),
        png: await base.clone().png().toBuffer(),
        webp: await base.clone().webp().toBuffer(),
        gif: await base.clone().gif().toBuffer(),
        tiff: await base.clone().tiff().toBuffer(),
        avif: await base.clone().avif().toBuffer(),
      };
      for (const [format, bytes] of Object.entries(encoded)) {
        const file = path.join(dir.dir, `image.${format}`);
        await writeFile(file, bytes);
        const { image } = await fetchWith(file, { allowLocalFiles: true });
        expect(image, format).to.include({ width: 64, height: 48 });
        expect(image.format === format || (format === 'avif' && image.format === 'heif'), `${format} → ${image.format}`).to.equal(true);
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('stages nothing when a check fails', async () => {
    const before = await readdir(staging.dir, { recursive: true });
    await fetchWith(`${srv.origin}/truncated.jpg`).catch(() => undefined);
    await fetchWith(`${srv.origin}/html-as-jpeg`).catch(() => undefined);
    expect(await readdir(staging.dir, { recursive: true })).to.deep.equal(before);
  });
});
