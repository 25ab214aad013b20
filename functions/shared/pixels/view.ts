/**
 * The one decode FetchImage makes of every image: a downscaled 8-bit sRGB view that the per-image
 * measures (quality, perceptual hash) read instead of decoding again. It is built by the same sharp
 * pipeline in the Lambda and locally, so a measure taken on it is the same number in both.
 *
 * The view fits inside VIEW_MAX_SIDE x VIEW_MAX_SIDE and is never enlarged: a blog- or ImageNet-sized
 * photo (500x375) is its own full decode, which the local engine also hands to both models where that
 * is exact (functions/shared/raster.ts). A larger JPEG is decoded with shrink-on-load (libjpeg scales
 * the DCT), which still reads every byte of the stream, so a truncated or damaged file fails here as
 * CorruptImage exactly as a full decode would.
 */
import sharp from 'sharp';
import { CorruptImage } from '../errors.js';
import type { ImageHeader } from '../image-header.js';
import type { Raster } from '../raster.js';
import { profileOf } from './icc.js';

/** 8-bit sRGB, 3 interleaved channels (RGB), EXIF orientation applied, alpha flattened onto white. */
export interface PixelView {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

/** Longest side of a view, in pixels. */
export const VIEW_MAX_SIDE = 512;

/** The view's size for an image of this (displayed) size: inside VIEW_MAX_SIDE, aspect kept, never enlarged. */
export function viewSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, VIEW_MAX_SIDE / Math.max(width, height));
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

const corrupt = (err: unknown) =>
  new CorruptImage(`The image could not be decoded (${(err as Error).message}); it is truncated or damaged. Re-export it and try again.`);

/** Decodes every pixel of the first frame into the view; a damaged file fails with CorruptImage. */
export async function decodeView(bytes: Buffer, limits: { maxPixels: number }, header?: Pick<ImageHeader, 'srgbProfile'>): Promise<PixelView> {
  const { srgbProfile } = header ?? (await profileOf(bytes));
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels, pages: 1, ignoreIcc: srgbProfile })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .resize(VIEW_MAX_SIDE, VIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data };
  } catch (err) {
    throw corrupt(err);
  }
}

/**
 * True when the view can be taken from a full-size raster of this image and equal decodeView() of its
 * bytes: nothing to resize, or a resize sharp does not shrink on load (a non-JPEG, or a JPEG reduced
 * by less than 2x). Only asked for rasters that are exact for the models (rasterIsExact), which already
 * excludes WebP and EXIF-rotated images; test/pixels/view.test.ts checks it on every labelled photo.
 */
export function viewFromRasterIsExact(header: Pick<ImageHeader, 'format' | 'width' | 'height'>): boolean {
  const longest = Math.max(header.width, header.height);
  return longest <= VIEW_MAX_SIDE || header.format !== 'jpeg' || longest < 2 * VIEW_MAX_SIDE;
}

/** The view of a full-size raster: the raster itself when it fits, else the same resize decodeView makes. */
export async function viewOfRaster(raster: Raster): Promise<PixelView> {
  const size = viewSize(raster.width, raster.height);
  if (size.width === raster.width && size.height === raster.height) return { width: raster.width, height: raster.height, channels: 3, data: raster.data };
  try {
    const { data, info } = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } })
      .resize(VIEW_MAX_SIDE, VIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data };
  } catch (err) {
    throw corrupt(err);
  }
}

/** Luma (ITU-R BT.601 weights, rounded), one byte per pixel, row-major: what hashes and quality measures read. */
export function greyOf(view: PixelView): Uint8Array {
  const { data } = view;
  const out = new Uint8Array(view.width * view.height);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (data[j] * 299 + data[j + 1] * 587 + data[j + 2] * 114 + 500) / 1000;
  return out;
}
