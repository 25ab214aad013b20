/**
 * The decoded image that ClassifyImage and CheckSafety can share. In AWS each Lambda decodes the staged
 * bytes itself (one decode per Lambda, with sharp's shrink-on-load). Locally all steps run in one
 * process, so FetchImage's validation decode is kept, keyed by the image's sha256, and both analysis
 * steps resize from it instead of decoding the same JPEG twice more.
 *
 * A raster is shared only where resizing it gives exactly the pixels that resizing the encoded bytes
 * gives (checked on every labelled photo by test/classify/raster.test.ts): sharp decodes a JPEG at 1/2,
 * 1/4 or 1/8 scale when a resize shrinks it by 2x or more, and a WebP at any reduced scale, which a
 * full-size raster cannot reproduce; EXIF-rotated images resize in a different order. Those images are
 * left to each step, so local and AWS verdicts never differ.
 */
import sharp, { type Sharp } from 'sharp';
import { CorruptImage } from './errors.js';
import type { ImageHeader } from './image-header.js';
import { profileOf } from './pixels/icc.js';

/** 8-bit sRGB, 3 interleaved channels, EXIF orientation applied, alpha flattened onto white. */
export interface Raster {
  data: Buffer;
  width: number;
  height: number;
}

/** What a step's preprocessing starts from: the staged bytes, or (locally) the shared raster. */
export type ImageSource = Buffer | Raster;

export const isRaster = (source: ImageSource): source is Raster => !Buffer.isBuffer(source);

/**
 * The smallest side a local model resizes to (224). Below twice that on the image's shorter side no
 * resize shrinks by 2x, so sharp never shrinks a JPEG on load.
 */
const SMALLEST_MODEL_SIDE = 224;
/** Rasters above this are not kept (a 4 MP raster is 12 MB). */
const MAX_SHARED_PIXELS = 4_000_000;

/** True when resizing a full-size raster of this image equals resizing its bytes (see the header comment). */
export function rasterIsExact(header: Pick<ImageHeader, 'format' | 'width' | 'height' | 'orientation'>): boolean {
  if (header.orientation !== 1 || header.format === 'webp') return false;
  if (header.width * header.height > MAX_SHARED_PIXELS) return false;
  return header.format !== 'jpeg' || Math.min(header.width, header.height) < 2 * SMALLEST_MODEL_SIDE;
}

/**
 * The start of every model's preprocessing: orientation, alpha on white, 8-bit sRGB. From a raster
 * (already all of that) it is just the pixels.
 */
export function decodePipeline(source: ImageSource, maxPixels: number, header: Pick<ImageHeader, 'srgbProfile'>): Sharp {
  if (isRaster(source)) return sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } });
  return sharp(source, { failOn: 'error', limitInputPixels: maxPixels, pages: 1, ignoreIcc: header.srgbProfile })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb');
}

/** Decodes every pixel at full size: a damaged file fails here with CorruptImage. */
export async function decodeRaster(bytes: Buffer, maxPixels: number, header?: Pick<ImageHeader, 'srgbProfile'>): Promise<Raster> {
  const profile = header ?? (await profileOf(bytes));
  try {
    const { data, info } = await decodePipeline(bytes, maxPixels, profile).removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw new CorruptImage(`The image could not be decoded (${(err as Error).message}); it is truncated or damaged. Re-export it and try again.`);
  }
}

/** Rasters by sha256 for the steps of one process (local mode); AWS has none. */
export interface RasterCache {
  get(sha256: string): Raster | undefined;
  put(sha256: string, raster: Raster): void;
}

/**
 * Least recently used first out, bounded in bytes. A miss only costs a decode: every step falls back
 * to the staged bytes, so eviction never changes a verdict.
 */
export class LruRasterCache implements RasterCache {
  private readonly entries = new Map<string, Raster>();
  private size = 0;

  constructor(private readonly maxBytes = 64 * 2 ** 20) {}

  get(sha256: string): Raster | undefined {
    const r = this.entries.get(sha256);
    if (r) {
      this.entries.delete(sha256);
      this.entries.set(sha256, r);
    }
    return r;
  }

  put(sha256: string, raster: Raster): void {
    if (raster.data.length > this.maxBytes) return;
    const old = this.entries.get(sha256);
    if (old) {
      this.entries.delete(sha256);
      this.size -= old.data.length;
    }
    this.entries.set(sha256, raster);
    this.size += raster.data.length;
    for (const [key, r] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(key);
      this.size -= r.data.length;
    }
  }
}
