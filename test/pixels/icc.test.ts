import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { readImageHeader } from '../../functions/shared/image-header.js';
import { SRGB_PROFILES, storedAsSrgb } from '../../functions/shared/pixels/icc.js';
import { decodeView } from '../../functions/shared/pixels/view.js';
import { decodeRaster } from '../../functions/shared/raster.js';
import { sharedDir } from '../workflow/fixtures.js';

const LIMITS = { maxPixels: 40_000_000 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every labelled photo that carries an ICC profile, with the profile's bytes. */
async function taggedPhotos(): Promise<Array<{ file: string; bytes: Buffer; icc: Buffer; channels: number }>> {
  const out = [];
  for (const dir of ['imagenet-sample', 'calibration']) {
    const d = path.join(sharedDir, 'images', dir);
    for (const f of (await readdir(d)).sort()) {
      if (!/\.(jpe?g|png|webp)$/i.test(f)) continue;
      const bytes = await readFile(path.join(d, f));
      const { icc, channels } = await sharp(bytes).metadata();
      if (icc) out.push({ file: f, bytes, icc, channels });
    }
  }
  return out;
}

/**
 * `pixels` (a lossless WebP of 4096 x 4096) wrapped with `icc` as stored: the extended container
 * (VP8X with the ICC flag, then ICCP), the pixels untouched. A PNG would not do: libpng drops
 * profiles it knows as broken sRGB ones, and some listed here are.
 */
function tagWebp(webp: Buffer, side: number, icc: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
  };
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x20; // ICC profile present
  vp8x.writeUIntLE(side - 1, 4, 3);
  vp8x.writeUIntLE(side - 1, 7, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), chunk('VP8X', vp8x), chunk('ICCP', icc), webp.subarray(12)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

describe('colour profiles: an image tagged sRGB is decoded as stored', function () {
  this.timeout(120_000);
  let tagged: Awaited<ReturnType<typeof taggedPhotos>>;
  before(async () => {
    tagged = await taggedPhotos();
  });

  it('every listed profile, converted by libvips over all 16.7 million colours, stays within one level of the stored value', async () => {
    const side = 4096;
    const cube = Buffer.alloc(side * side * 3);
    for (let i = 0; i < side * side; i++) {
      cube[3 * i] = i >> 16;
      cube[3 * i + 1] = (i >> 8) & 255;
      cube[3 * i + 2] = i & 255;
    }
    const webp = await sharp(cube, { raw: { width: side, height: side, channels: 3 } })
      .webp({ lossless: true, effort: 0 })
      .toBuffer();
    for (const [hash, name] of SRGB_PROFILES) {
      const found = tagged.find((t) => sha256(t.icc) === hash);
      expect(found, `no labelled photo carries ${name} (${hash}): a profile is listed only once it is proven here`).to.not.equal(undefined);
      const file = tagWebp(webp, side, found!.icc);
      const meta = await sharp(file).metadata();
      expect(storedAsSrgb(meta), `${name}: ${meta.space} ${meta.depth} ${meta.channels}`).to.equal(true);
      const stored = await sharp(file, { ignoreIcc: true, limitInputPixels: false }).raw().toBuffer();
      expect(stored.equals(cube), `${name}: the tagged WebP stores the cube`).to.equal(true);
      const converted = await sharp(file, { limitInputPixels: false }).raw().toBuffer();
      let worst = 0;
      for (let i = 0; i < converted.length; i++) worst = Math.max(worst, Math.abs(converted[i] - cube[i]));
      expect(worst, `${name}: largest change lcms makes to a colour`).to.be.at.most(1);
    }
  });

  it('another profile (Adobe RGB, a camera profile) is still converted, and the conversion matters', async () => {
    const other = tagged.filter((t) => !SRGB_PROFILES.has(sha256(t.icc)));
    expect(other.length).to.be.greaterThan(10);
    let changed = 0;
    for (const t of other) {
      const header = await readImageHeader(t.bytes);
      expect(header.srgbProfile, t.file).to.equal(false);
      const asStored = await decodeView(t.bytes, LIMITS, { srgbProfile: true });
      const view = await decodeView(t.bytes, LIMITS, header);
      if (!Buffer.from(view.data).equals(Buffer.from(asStored.data))) changed++;
    }
    expect(changed, 'photos whose pixels the conversion changes').to.be.greaterThan(other.length / 2);
  });

  it('on every labelled photo tagged with a listed profile, skipping the conversion changes no pixel of the view or the raster', async () => {
    // A greyscale JPEG tagged with an sRGB profile is still converted (the rule is for 8-bit RGB).
    const srgb = tagged.filter((t) => SRGB_PROFILES.has(sha256(t.icc)) && t.channels === 3);
    expect(srgb.length).to.be.greaterThan(50);
    for (const t of srgb) {
      const header = await readImageHeader(t.bytes);
      expect(header.srgbProfile, t.file).to.equal(true);
      const converted = { srgbProfile: false };
      expect(
        Buffer.from((await decodeView(t.bytes, LIMITS, header)).data).equals(Buffer.from((await decodeView(t.bytes, LIMITS, converted)).data)),
        t.file,
      ).to.equal(true);
      if (header.width * header.height <= 4_000_000)
        expect(
          (await decodeRaster(t.bytes, LIMITS.maxPixels, header)).data.equals((await decodeRaster(t.bytes, LIMITS.maxPixels, converted)).data),
          t.file,
        ).to.equal(true);
    }
  });

  it('a decode without a header at hand applies the same rule', async () => {
    const t = tagged.find((x) => SRGB_PROFILES.has(sha256(x.icc)) && x.channels === 3)!;
    const header = await readImageHeader(t.bytes);
    expect(Buffer.from((await decodeView(t.bytes, LIMITS)).data).equals(Buffer.from((await decodeView(t.bytes, LIMITS, header)).data))).to.equal(true);
  });
});
