import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { fetchImageWithView } from '../../functions/fetch-image/fetch.js';
import { fetchConfig } from '../../functions/fetch-image/config.js';
import { CorruptImage } from '../../functions/shared/errors.js';
import { readImageHeader } from '../../functions/shared/image-header.js';
import { decodeImage } from '../../functions/shared/pixels/decode.js';
import { decodeView, greyOf, VIEW_MAX_SIDE, viewFromRasterIsExact, viewOfRaster, viewSize, type PixelView } from '../../functions/shared/pixels/view.js';
import { decodeRaster, LruRasterCache, rasterIsExact } from '../../functions/shared/raster.js';
import { LocalStagingStore } from '../../functions/shared/staging/index.js';
import { tempDir } from '../models/fixtures.js';
import { sharedDir } from '../workflow/fixtures.js';

const LIMITS = { maxPixels: 40_000_000 };
const zebraPath = path.join(sharedDir, 'images/imagenet-sample/n02391049_zebra.JPEG');
const same = (a: PixelView, b: PixelView) => a.width === b.width && a.height === b.height && Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;

async function labelledPhotos(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['imagenet-sample', 'calibration']) {
    const d = path.join(sharedDir, 'images', dir);
    out.push(...(await readdir(d)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).map((f) => path.join(d, f)));
  }
  return out.sort();
}

describe("pixel view (FetchImage's one decode)", () => {
  it('fits inside 512 x 512 keeping the aspect, never enlarged', () => {
    expect(viewSize(500, 375)).to.deep.equal({ width: 500, height: 375 });
    expect(viewSize(4000, 3000)).to.deep.equal({ width: VIEW_MAX_SIDE, height: 384 });
    expect(viewSize(300, 1200)).to.deep.equal({ width: 128, height: VIEW_MAX_SIDE });
    expect(viewSize(10_000, 1)).to.deep.equal({ width: VIEW_MAX_SIDE, height: 1 });
  });

  it('of an ImageNet-sized photo is its full decode: the raster the local models share', async () => {
    const bytes = await readFile(zebraPath);
    const view = await decodeView(bytes, LIMITS);
    const raster = await decodeRaster(bytes, LIMITS.maxPixels);
    expect([view.width, view.height, view.channels, view.data.length]).to.deep.equal([raster.width, raster.height, 3, raster.width * raster.height * 3]);
    expect(Buffer.from(view.data).equals(raster.data)).to.equal(true);
    const local = await decodeImage(bytes, await readImageHeader(bytes), LIMITS, { keepRaster: true });
    // One buffer, not two copies.
    expect(local.view.data).to.equal(local.raster!.data);
  });

  it('is the same pixels whether the local engine takes it from its raster or a Lambda decodes it: every labelled photo', async function () {
    this.timeout(600_000);
    const files = await labelledPhotos();
    expect(files.length).to.be.above(400);
    const mismatches: string[] = [];
    let fromRaster = 0;
    for (const file of files) {
      const bytes = await readFile(file);
      const header = await readImageHeader(bytes);
      const local = await decodeImage(bytes, header, LIMITS, { keepRaster: true });
      const lambda = await decodeImage(bytes, header, LIMITS, { keepRaster: false });
      if (local.raster) fromRaster++;
      expect(lambda.raster).to.equal(undefined);
      if (!same(local.view, lambda.view)) mismatches.push(path.basename(file));
    }
    expect(mismatches).to.deep.equal([]);
    expect(fromRaster).to.be.above(files.length * 0.8);
  });

  it('taken from a raster only where sharp would not shrink on load: larger PNG and JPEG panoramas', async () => {
    const base = await readFile(zebraPath);
    const cases = [
      { name: 'PNG 1600x400', bytes: await sharp(base).resize(1600, 400, { fit: 'fill' }).png().toBuffer(), fromRaster: true },
      { name: 'JPEG 900x400', bytes: await sharp(base).resize(900, 400, { fit: 'fill' }).jpeg().toBuffer(), fromRaster: true },
      { name: 'JPEG 2400x400', bytes: await sharp(base).resize(2400, 400, { fit: 'fill' }).jpeg().toBuffer(), fromRaster: false },
    ];
    for (const c of cases) {
      const header = await readImageHeader(c.bytes);
      expect(rasterIsExact(header), c.name).to.equal(true);
      expect(viewFromRasterIsExact(header), c.name).to.equal(c.fromRaster);
      const local = await decodeImage(c.bytes, header, LIMITS, { keepRaster: true });
      const direct = await decodeView(c.bytes, LIMITS);
      expect(same(local.view, direct), c.name).to.equal(true);
      expect(Math.max(direct.width, direct.height), c.name).to.equal(VIEW_MAX_SIDE);
      // Where the rule says no, the raster's resize really differs (the rule is not stricter than needed).
      if (!c.fromRaster) expect(same(await viewOfRaster(local.raster!), direct), c.name).to.equal(false);
    }
  });

  it('flattens alpha on white, applies EXIF orientation and converts grey to RGB', async () => {
    const transparent = await sharp({ create: { width: 4, height: 2, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const v1 = await decodeView(transparent, LIMITS);
    expect([v1.width, v1.height, v1.channels]).to.deep.equal([4, 2, 3]);
    expect([...v1.data].every((b) => b === 255)).to.equal(true);
    const rotated = await sharp(await readFile(zebraPath))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const v2 = await decodeView(rotated, LIMITS);
    expect([v2.width, v2.height]).to.deep.equal([375, 500]);
    const grey = await sharp({ create: { width: 3, height: 3, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .greyscale()
      .png()
      .toBuffer();
    const v3 = await decodeView(grey, LIMITS);
    expect(v3.data.length).to.equal(27);
    expect([...greyOf(v3)]).to.deep.equal(Array(9).fill(90));
  });

  it('still reads the whole stream when it shrinks on load: a truncated large JPEG is CorruptImage', async () => {
    const big = await sharp(await readFile(zebraPath))
      .resize(2400, 1800, { fit: 'fill' })
      .jpeg()
      .toBuffer();
    expect((await decodeView(big, LIMITS)).width).to.equal(VIEW_MAX_SIDE);
    for (const bytes of [big.subarray(0, Math.floor(big.length * 0.9)), big.subarray(0, big.length / 2)]) {
      try {
        await decodeView(bytes, LIMITS);
        expect.fail('decoded a truncated JPEG');
      } catch (err) {
        expect(err).to.be.instanceOf(CorruptImage);
      }
    }
  });

  it('luma uses the BT.601 weights', () => {
    const view: PixelView = { width: 3, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]) };
    expect([...greyOf(view)]).to.deep.equal([76, 150, 29]);
  });

  it('FetchImage returns the view with the staged pointer, the raster kept only where a model can reuse it', async () => {
    const { dir, cleanup } = await tempDir('view-');
    after(cleanup);
    const store = new LocalStagingStore(path.join(dir, 'staging'));
    const rasters = new LruRasterCache();
    const config = fetchConfig({ allowLocalFiles: true });
    const { output, view } = await fetchImageWithView({ imageUrl: zebraPath }, { store, config, rasters });
    expect([view.width, view.height]).to.deep.equal([output.image.width, output.image.height]);
    expect(rasters.get(output.image.sha256)?.data).to.equal(view.data);
    const lambda = await fetchImageWithView({ imageUrl: zebraPath }, { store, config });
    expect(same(lambda.view, view)).to.equal(true);
  });
});
