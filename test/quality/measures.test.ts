/**
 * The quality measures on real photos (../shared/images) and on copies degraded here with sharp: each
 * measure must move the way its scale says, for the reason it names, and never produce NaN.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { judgeQuality, WHITE_NOISE_RATIO } from '../../functions/aggregate/quality-issues.js';
import { DEFAULT_QUALITY_POLICY } from '../../functions/aggregate/quality-policy.js';
import { sharedDir } from '../../functions/shared/project.js';
import { DEFAULT_LIMITS } from '../../functions/shared/limits.js';
import { decodeView } from '../../functions/shared/pixels/view.js';
import { estimateJpegQuality, readQuantTables } from '../../functions/shared/quality/jpeg-quality.js';
import type { QualityMeasures } from '../../functions/shared/contracts/index.js';
import { measureQuality } from '../../functions/shared/quality/measure.js';

const photo = (name: string) => readFile(path.join(sharedDir(), 'images', name));
const ZEBRA = 'imagenet-sample/n02391049_zebra.JPEG';
const TENCH = 'imagenet-sample/n01440764_tench.JPEG';

async function measure(bytes: Buffer): Promise<QualityMeasures> {
  const meta = await sharp(bytes).metadata();
  return measureQuality(await decodeView(bytes, DEFAULT_LIMITS), { width: meta.width, height: meta.height, format: meta.format }, readQuantTables(bytes));
}
const kinds = (m: QualityMeasures) => judgeQuality(m, DEFAULT_QUALITY_POLICY).issues.map((i) => i.kind);

async function rgb(bytes: Buffer) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, info: { width: info.width, height: info.height, channels: 3 as const } };
}

describe('quality measures', () => {
  it('reads pristine photos as fine: no issue but their size', async () => {
    for (const name of [ZEBRA, TENCH]) {
      const m = await measure(await photo(name));
      expect(
        kinds(m).filter((k) => k !== 'resolution'),
        name,
      ).to.deep.equal([]);
      expect(m.sharpness!).to.be.above(DEFAULT_QUALITY_POLICY.review.sharpness);
    }
  });

  it('finds blur, and judges a large and a small copy of one photo alike', async () => {
    const bytes = await photo(ZEBRA);
    const sharpM = await measure(bytes);
    const blurred = await measure(await sharp(bytes).blur(3).jpeg({ quality: 92 }).toBuffer());
    expect(blurred.sharpness!).to.be.below(DEFAULT_QUALITY_POLICY.review.sharpness);
    expect(kinds(blurred)).to.include('blur');
    // The same scene at 4x and at 0.8x the size: sharpness on the working view, not per pixel.
    const big = await measure(
      await sharp(bytes)
        .resize({ width: 2000, kernel: 'lanczos3' })
        .blur(4 * 3)
        .jpeg({ quality: 92 })
        .toBuffer(),
    );
    const small = await measure(
      await sharp(bytes)
        .resize({ width: 400 })
        .blur(0.8 * 3)
        .jpeg({ quality: 92 })
        .toBuffer(),
    );
    expect(Math.abs(big.sharpness! - small.sharpness!)).to.be.below(0.1);
    expect(kinds(big)).to.include('blur');
    expect(kinds(small)).to.include('blur');
    expect(sharpM.sharpness! - blurred.sharpness!).to.be.above(0.2);
  });

  it('finds motion blur along one direction, which leaves edges along the motion sharp', async () => {
    for (const name of [ZEBRA, TENCH]) {
      const bytes = await photo(name);
      // An 11-pixel horizontal box (sharp wants a kernel at least 3 high: the middle row): a camera panned during the exposure.
      const smeared = await measure(
        await sharp(bytes)
          .convolve({ width: 11, height: 3, kernel: [...new Array<number>(11).fill(0), ...new Array<number>(11).fill(1), ...new Array<number>(11).fill(0)] })
          .png()
          .toBuffer(),
      );
      expect(smeared.sharpness!, name).to.be.below(DEFAULT_QUALITY_POLICY.review.sharpness);
      expect(kinds(smeared), name).to.include('blur');
      expect((await measure(bytes)).sharpness!, name).to.be.above(DEFAULT_QUALITY_POLICY.review.sharpness);
    }
  });

  it('sees a harsh JPEG grid on the reduced view of a larger image, and no grid on a clean one', async () => {
    const big = await sharp(await photo(TENCH))
      .resize({ width: 800, kernel: 'lanczos3' })
      .toBuffer();
    const harsh = await sharp(await sharp(big).jpeg({ quality: 8 }).toBuffer())
      .png()
      .toBuffer();
    const m = await measure(harsh);
    // 800 px on a view of 512: the image's own grid is not in the view's pixels, so blockiness is null.
    expect(m.blockiness).to.equal(null);
    expect(m.reducedBlockiness!).to.be.above(DEFAULT_QUALITY_POLICY.review.reducedBlockiness);
    expect(kinds(m)).to.include('compression');
    const clean = await measure(await sharp(big).png().toBuffer());
    expect(clean.reducedBlockiness!).to.be.below(DEFAULT_QUALITY_POLICY.review.reducedBlockiness);
  });

  it('estimates additive noise in 8-bit levels and leaves texture alone', async () => {
    const bytes = await photo(ZEBRA);
    const clean = await measure(bytes);
    // Zebra stripes and grass are strong texture: it keeps its level at half resolution, so it is not noise.
    expect(clean.noiseScaleRatio!).to.be.at.least(WHITE_NOISE_RATIO);
    expect(kinds(clean)).not.to.include('noise');
    const { data, info } = await rgb(bytes);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const noisy = Buffer.from(data);
    for (let i = 0; i < noisy.length; i++) {
      const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      noisy[i] = Math.max(0, Math.min(255, Math.round(noisy[i] + 15 * g)));
    }
    const m = await measure(await sharp(noisy, { raw: info }).png().toBuffer());
    expect(m.noise!).to.be.within(8, 20);
    expect(m.noiseScaleRatio!).to.be.below(WHITE_NOISE_RATIO);
    expect(kinds(m)).to.include('noise');
  });

  it('reads the JPEG quality from the quantisation tables, and the 8x8 grid from the pixels', async () => {
    const bytes = await photo(TENCH);
    for (const q of [5, 10, 15, 50, 90]) {
      const tables = readQuantTables(await sharp(bytes).jpeg({ quality: q }).toBuffer());
      expect(estimateJpegQuality(tables!)).to.deep.equal({ quality: q, fit: 0 });
    }
    const harsh = await sharp(bytes).jpeg({ quality: 5 }).toBuffer();
    const m = await measure(harsh);
    expect(m.jpegQuality).to.equal(5);
    expect(kinds(m)).to.include('compression');
    // Re-saved as PNG the tables are gone; the grid is still in the pixels.
    const png = await measure(await sharp(harsh).png().toBuffer());
    expect(png.jpegQuality).to.equal(null);
    expect(png.blockiness!).to.be.above(DEFAULT_QUALITY_POLICY.review.blockiness);
    expect((await measure(bytes)).blockiness!).to.be.below(DEFAULT_QUALITY_POLICY.review.blockiness);
    expect(readQuantTables(await sharp(bytes).png().toBuffer())).to.equal(null);
    expect(readQuantTables(bytes.subarray(0, 40))).to.equal(null);
  });

  it('finds under- and over-exposure', async () => {
    const bytes = await photo(TENCH);
    const dark = await measure(await sharp(bytes).gamma(2.2, 1).linear(0.12, 0).jpeg({ quality: 92 }).toBuffer());
    expect(kinds(dark)).to.include('exposure');
    const bright = await measure(await sharp(bytes).linear(3, 60).jpeg({ quality: 92 }).toBuffer());
    expect(kinds(bright)).to.include('exposure');
  });

  it('finds a washed-out image by its contrast', async () => {
    const bytes = await photo(ZEBRA);
    const flat = await measure(await sharp(bytes).linear(0.2, 100).jpeg({ quality: 92 }).toBuffer());
    expect(flat.tonalRange!).to.be.below(DEFAULT_QUALITY_POLICY.review.tonalRange);
    expect(kinds(flat)).to.include('contrast');
  });

  it('names a blank image and one too small to measure, with no NaN anywhere', async () => {
    const blank = await measure(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    expect(blank.uniform).to.equal(true);
    expect(kinds(blank)).to.include('uniform');
    const tiny = await measure(
      await sharp(await photo(ZEBRA))
        .resize(20, 20)
        .png()
        .toBuffer(),
    );
    expect(tiny.measurable).to.equal(false);
    expect(kinds(tiny)).to.include('too-small');
    const edge = [
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#000000' } })
        .png()
        .toBuffer(),
      await sharp({ create: { width: 600, height: 40, channels: 3, background: '#ffffff' } })
        .jpeg()
        .toBuffer(),
      await sharp(await photo(ZEBRA))
        .resize(32, 400, { fit: 'fill' })
        .png()
        .toBuffer(),
      await sharp(await photo(ZEBRA))
        .resize(1, 300, { fit: 'fill' })
        .png()
        .toBuffer(),
    ];
    for (const bytes of [...edge]) {
      const m = await measure(bytes);
      const a = judgeQuality(m, DEFAULT_QUALITY_POLICY);
      for (const v of Object.values(m)) if (typeof v === 'number') expect(Number.isFinite(v)).to.equal(true);
      expect(Number.isFinite(a.score)).to.equal(true);
      expect(JSON.stringify(a)).not.to.match(/NaN|null,"message"/);
    }
  });

  it('says each issue in words with its value and threshold', async () => {
    const blurred = await measure(
      await sharp(await photo(ZEBRA))
        .blur(4)
        .jpeg({ quality: 92 })
        .toBuffer(),
    );
    const a = judgeQuality(blurred, DEFAULT_QUALITY_POLICY);
    const blur = a.issues.find((i) => i.kind === 'blur')!;
    expect(blur.threshold).to.equal(DEFAULT_QUALITY_POLICY.review.sharpness);
    expect(blur.message).to.equal(`Out of focus: sharpness ${blur.value.toFixed(2)}, review below ${blur.threshold.toFixed(2)}.`);
    expect(a.score).to.be.below(50);
  });
});
