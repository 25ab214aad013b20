import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import sharp, { type Color } from 'sharp';
import { cropGeometry, inspect, preprocess, toModelPixels } from '../../functions/classify/preprocess.js';
import { CorruptImage, EmptyImage, PixelLimitExceeded, UnsupportedImageFormat } from '../../functions/shared/errors.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { photo, pngBomb } from '../workflow/fixtures.js';

const zoo = catalogEntry('mobilenetv2-12-int8').input;
const raw = { ...zoo, mean: [0, 0, 0], std: [1, 1, 1] };

/** A solid image of the given size and colour, encoded by sharp. */
const solid = (width: number, height: number, background: Color, channels: 3 | 4 = 3) => sharp({ create: { width, height, channels, background } });

/** Mean RGB of a region of 224x224 interleaved RGB pixels. */
function meanRgb(data: Buffer, x0: number, y0: number, w: number, h: number): number[] {
  const sum = [0, 0, 0];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) sum[c] += data[(y * 224 + x) * 3 + c];
  return sum.map((s) => s / (w * h));
}

async function expectError(p: Promise<unknown>, type: new (...a: never[]) => Error, pattern?: RegExp) {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    if (pattern) expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected ${type.name}`);
}

describe('classify/preprocess', () => {
  it('resizes the shorter side to 256 and takes the centre 224 square', () => {
    expect(cropGeometry(1000, 500, zoo)).to.deep.equal({ resizeWidth: 512, resizeHeight: 256, left: 144, top: 16, width: 224, height: 224 });
    expect(cropGeometry(224, 224, zoo)).to.include({ resizeWidth: 256, resizeHeight: 256, left: 16, top: 16 });
  });

  it('builds the NCHW tensor with (x - mean) / std per channel', async () => {
    const png = await solid(300, 300, { r: 200, g: 100, b: 50 }).png().toBuffer();
    const t = await preprocess(png, zoo);
    expect(t.length).to.equal(3 * 224 * 224);
    const plane = 224 * 224;
    expect(t[0]).to.be.closeTo((200 - 123.675) / 58.395, 1e-5);
    expect(t[plane + 500]).to.be.closeTo((100 - 116.28) / 57.12, 1e-5);
    expect(t[2 * plane + plane - 1]).to.be.closeTo((50 - 103.53) / 57.375, 1e-5);
  });

  it('writes NHWC and BGR when the manifest asks for them', async () => {
    const png = await solid(256, 256, { r: 10, g: 20, b: 30 }).png().toBuffer();
    const t = await preprocess(png, { ...raw, layout: 'NHWC', channels: 'BGR' });
    expect(Array.from(t.subarray(0, 6))).to.deep.equal([30, 20, 10, 30, 20, 10]);
  });

  it('applies the EXIF orientation before cropping', async () => {
    // Left half red, right half blue, stored sideways with orientation 6 (rotate 90° clockwise to view).
    const pixels = Buffer.alloc(400 * 200 * 3);
    for (let i = 0; i < 400 * 200; i++) pixels[i * 3 + (i % 400 < 200 ? 0 : 2)] = 255;
    const jpeg = await sharp(pixels, { raw: { width: 400, height: 200, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(await inspect(jpeg)).to.include({ width: 200, height: 400 });
    const px = await toModelPixels(jpeg, raw);
    const top = meanRgb(px.data, 0, 0, 224, 60);
    const bottom = meanRgb(px.data, 0, 164, 224, 60);
    expect(top[0]).to.be.above(200);
    expect(top[2]).to.be.below(50);
    expect(bottom[2]).to.be.above(200);
    expect(bottom[0]).to.be.below(50);
  });

  it('flattens transparency onto white', async () => {
    const png = await solid(256, 256, { r: 0, g: 0, b: 0, alpha: 0 }, 4).png().toBuffer();
    const px = await toModelPixels(png, raw);
    expect(meanRgb(px.data, 0, 0, 224, 224)).to.deep.equal([255, 255, 255]);
  });

  it('converts CMYK, 16-bit and greyscale images to 8-bit sRGB with three channels', async () => {
    const cmyk = await solid(256, 256, { r: 200, g: 30, b: 30 }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).to.equal('cmyk');
    const c = meanRgb((await toModelPixels(cmyk, raw)).data, 0, 0, 224, 224);
    expect(c[0]).to.be.closeTo(200, 25);
    expect(c[1]).to.be.below(80);

    const deep = await solid(256, 256, { r: 40, g: 120, b: 240 }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).to.equal('ushort');
    const d = meanRgb((await toModelPixels(deep, raw)).data, 0, 0, 224, 224);
    d.forEach((v, i) => expect(v).to.be.closeTo([40, 120, 240][i], 1));

    const grey = await solid(256, 256, { r: 90, g: 90, b: 90 }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).to.equal(1);
    const g = await toModelPixels(grey, raw);
    expect(g.data.length).to.equal(224 * 224 * 3);
    expect(meanRgb(g.data, 0, 0, 224, 224).map(Math.round)).to.deep.equal([90, 90, 90]);
  });

  it('names what is not an image, or not a whole one', async () => {
    await expectError(preprocess(Buffer.alloc(0), zoo), EmptyImage);
    await expectError(preprocess(Buffer.from('<!doctype html><html><body>nope</body></html>'), zoo), UnsupportedImageFormat);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><rect width="300" height="300"/></svg>');
    await expectError(preprocess(svg, zoo), UnsupportedImageFormat, /svg/i);
    const jpeg = await readFile(photo('n02391049_zebra.JPEG'));
    await expectError(preprocess(jpeg.subarray(0, Math.floor(jpeg.length / 2)), zoo), CorruptImage);
    // A valid PNG header over damaged compressed data. (libjpeg recovers from garbled entropy-coded data
    // with a warning and decodes something; only truncation and hard errors fail a JPEG.)
    const png = await solid(300, 300, 'red').png({ compressionLevel: 0 }).toBuffer();
    const damaged = Buffer.from(png);
    damaged.fill(0x11, 200, 2000);
    await expectError(preprocess(damaged, zoo), CorruptImage);
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const bomb = pngBomb(30000, 30000);
    expect(bomb.length).to.be.below(200_000);
    await expectError(preprocess(bomb, zoo), PixelLimitExceeded, /30000x30000/);
    await expectError(preprocess(await solid(100, 100, 'red').png().toBuffer(), zoo, { maxPixels: 5000 }), PixelLimitExceeded);
  });
});
