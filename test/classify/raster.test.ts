import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { toModelPixels } from '../../functions/classify/preprocess.js';
import { CorruptImage } from '../../functions/shared/errors.js';
import { readImageHeader } from '../../functions/shared/image-header.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { decodeRaster, LruRasterCache, rasterIsExact, type Raster } from '../../functions/shared/raster.js';
import { nsfwPixels } from '../../functions/safety/nsfw-model.js';
import { sharedDir } from '../workflow/fixtures.js';

const spec = catalogEntry('mobilenetv2-12-int8').input;
const MAX = 40_000_000;

async function labelledPhotos(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['imagenet-sample', 'calibration']) {
    const d = path.join(sharedDir, 'images', dir);
    out.push(
      ...(await readdir(d))
        .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
        .sort()
        .map((f) => path.join(d, f)),
    );
  }
  return out;
}

describe('shared raster (one decode for both local models)', () => {
  it('gives both models exactly the pixels their own decode gives, on every labelled photo it is used for', async function () {
    this.timeout(600_000);
    const files = await labelledPhotos();
    expect(files.length).to.be.above(400);
    let shared = 0;
    const mismatches: string[] = [];
    for (const file of files) {
      const bytes = await readFile(file);
      if (!rasterIsExact(await readImageHeader(bytes))) continue;
      shared++;
      const raster = await decodeRaster(bytes, MAX);
      const [a, b] = await Promise.all([toModelPixels(bytes, spec), toModelPixels(raster, spec)]);
      if (!a.data.equals(b.data)) mismatches.push(`${path.basename(file)} (classifier)`);
      const [n1, n2] = await Promise.all([nsfwPixels(bytes), nsfwPixels(raster)]);
      if (Buffer.compare(Buffer.from(n1.buffer), Buffer.from(n2.buffer)) !== 0) mismatches.push(`${path.basename(file)} (safety)`);
    }
    expect(mismatches).to.deep.equal([]);
    // Most blog-sized photos qualify; if this drops, the rule became too strict to be worth having.
    expect(shared / files.length).to.be.above(0.8);
  });

  it('is not used where sharp would shrink on load or rotate: a large JPEG, a WebP, an EXIF-rotated photo', async () => {
    const base = await readFile(path.join(sharedDir, 'images/imagenet-sample/n02391049_zebra.JPEG'));
    const big = await sharp(base).resize(1200, 900, { fit: 'fill' }).jpeg().toBuffer();
    const webp = await sharp(base).webp().toBuffer();
    const rotated = await sharp(base).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(rasterIsExact(await readImageHeader(base))).to.equal(true);
    for (const b of [big, webp, rotated]) expect(rasterIsExact(await readImageHeader(b))).to.equal(false);
    // And there the two paths really do differ: the rule is not stricter than it needs to be for large JPEGs.
    const [direct, fromRaster] = await Promise.all([nsfwPixels(big), decodeRaster(big, MAX).then((r) => nsfwPixels(r))]);
    expect(Buffer.compare(Buffer.from(direct.buffer), Buffer.from(fromRaster.buffer))).to.not.equal(0);
  });

  it('a truncated JPEG is CorruptImage at decode', async () => {
    const bytes = await readFile(path.join(sharedDir, 'images/imagenet-sample/n02391049_zebra.JPEG'));
    try {
      await decodeRaster(bytes.subarray(0, bytes.length / 2), MAX);
      expect.fail('decoded half a JPEG');
    } catch (err) {
      expect(err).to.be.instanceOf(CorruptImage);
    }
  });

  it('the cache keeps the most recently used rasters within its byte budget', () => {
    const r = (n: number): Raster => ({ data: Buffer.alloc(n), width: n / 3, height: 1 });
    const cache = new LruRasterCache(30);
    cache.put('a', r(12));
    cache.put('b', r(12));
    expect(cache.get('a')).to.not.equal(undefined); // a is now the most recent
    cache.put('c', r(12)); // 36 > 30: b goes
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')).to.not.equal(undefined);
    expect(cache.get('c')).to.not.equal(undefined);
    cache.put('huge', r(60));
    expect(cache.get('huge')).to.equal(undefined);
  });
});
