/**
 * Real animated and layered images built in the test from the shared photos (never committed): the files
 * blogs actually receive (animated GIF/WebP, multi-page TIFF, alpha PNG, HEIC), and a GIF frame bomb.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

export const SAMPLE = (name: string) => join(import.meta.dirname, '../../../shared/images/imagenet-sample', name);
export const CALIBRATION = (name: string) => join(import.meta.dirname, '../../../shared/images/calibration', name);

/** Each photo covered to size x size (sRGB, opaque): the frames of an animation. */
async function frames(paths: Array<string | Buffer>, size: number): Promise<Buffer[]> {
  return Promise.all(paths.map((p) => sharp(p).resize(size, size, { fit: 'cover' }).removeAlpha().png().toBuffer()));
}

/**
 * Each photo repeated `times` times, every copy with a different pixel flipped: near-identical frames an
 * encoder cannot merge (GIF and WebP encoders fold exactly identical consecutive frames into one).
 */
export async function jitteredFrames(paths: string[], times: number, size = 256): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const p of paths) {
    const rgb = await sharp(p).resize(size, size, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    for (let i = 0; i < times; i++) {
      const copy = Buffer.from(rgb);
      copy.fill(i % 2 ? 0 : 255, i * 3 * 7, i * 3 * 7 + 3);
      out.push(
        await sharp(copy, { raw: { width: size, height: size, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }
  }
  return out;
}

/** An animation whose frames are these photos (or encoded frames), in order (sharp's join, 500 ms each). */
export async function animation(paths: Array<string | Buffer>, format: 'gif' | 'webp', size = 320): Promise<Buffer> {
  const img = sharp(await frames(paths, size), { join: { animated: true } });
  const delay = paths.map(() => 500);
  return format === 'gif' ? img.gif({ delay, loop: 0 }).toBuffer() : img.webp({ delay, loop: 0, quality: 90 }).toBuffer();
}

/** A TIFF with one page per photo. */
export async function multiPageTiff(paths: string[], size = 320): Promise<Buffer> {
  return sharp(await frames(paths, size), { join: { animated: true } })
    .tiff({ compression: 'lzw' })
    .toBuffer();
}

/**
 * A PNG whose colour channels are all white and whose alpha draws the photo (alpha = the photo's
 * luminance inverted, so its dark parts are opaque): blank on a white page, the photo on a dark one.
 */
export async function alphaOnlyPng(path: string, size = 320): Promise<Buffer> {
  const grey = await sharp(path).resize(size, size, { fit: 'cover' }).greyscale().negate().raw().toBuffer();
  const rgba = Buffer.alloc(size * size * 4, 255);
  for (let i = 0; i < size * size; i++) rgba[i * 4 + 3] = grey[i];
  return sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
    .png()
    .toBuffer();
}

/**
 * A GIF whose header says `frames` frames of width x height, each frame a single changed pixel: a few
 * bytes per frame on disk, frames x width x height pixels for any decoder that renders every frame.
 */
export function gifFrameBomb(frameCount: number, width: number, height: number): Buffer {
  const parts: Buffer[] = [];
  const u16 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
  parts.push(Buffer.from('GIF89a', 'latin1'), u16(width), u16(height), Buffer.from([0xf0, 0, 0]));
  // Global colour table of 2 entries (size bits 0 => 2 colours): black, white.
  parts.push(Buffer.from([0, 0, 0, 255, 255, 255]));
  // NETSCAPE2.0 loop extension.
  parts.push(Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0]));
  for (let f = 0; f < frameCount; f++) {
    // Graphic control: no disposal, 100 ms.
    parts.push(Buffer.from([0x21, 0xf9, 4, 0x04, 10, 0, 0, 0]));
    const x = f % width;
    const y = Math.floor(f / width) % height;
    parts.push(Buffer.from([0x2c]), u16(x), u16(y), u16(1), u16(1), Buffer.from([0]));
    // LZW, minimum code size 2: clear (4), colour 1 or 0, end (5), 3-bit codes packed LSB first.
    const colour = f % 2;
    const bits = 4 | (colour << 3) | (5 << 6);
    parts.push(Buffer.from([2, 2, bits & 0xff, bits >> 8, 0]));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

const exec = promisify(execFile);

/**
 * A real HEVC-coded HEIC of the photo, written by libheif's heif-enc (Debian libheif-examples, with the
 * x265 encoder): what phones write. Undefined when heif-enc is not installed.
 */
export async function heic(path: string, size = 480): Promise<Buffer | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'heic-'));
  try {
    await writeFile(join(dir, 'in.png'), await sharp(path).resize(size).png().toBuffer());
    await exec('heif-enc', ['-q', '70', join(dir, 'in.png'), '-o', join(dir, 'out.heic')]);
    return await readFile(join(dir, 'out.heic'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
