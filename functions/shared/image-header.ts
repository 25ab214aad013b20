/**
 * The header check every step that touches image bytes shares (FetchImage before staging, the classifier
 * before decoding): what format, what size, and refuse pixel bombs from the header alone.
 */
import sharp, { type Metadata } from 'sharp';
import type { ImageFormat } from './contracts/index.js';
import { CorruptImage, EmptyImage, PixelLimitExceeded, UnsupportedImageFormat } from './errors.js';
import { DEFAULT_LIMITS } from './limits.js';

/** sharp's format names for what a blog image may be; sharp also reads SVG, PDF and raw pixels, which we refuse. */
const ACCEPTED: Record<string, ImageFormat> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', heif: 'heif', avif: 'avif', tiff: 'tiff' };

export const ACCEPTED_FORMATS_TEXT = 'a JPEG, PNG, WebP, GIF, AVIF/HEIF or TIFF';

export interface ImageHeader {
  format: ImageFormat;
  /** As displayed, i.e. after the EXIF orientation is applied. */
  width: number;
  height: number;
  /** EXIF orientation (1 = stored upright). */
  orientation: number;
}

// libvips caches decoded images by default; a Lambda processing a stream of distinct photos gains
// nothing from it and pays in memory.
sharp.cache(false);

export async function readImageHeader(bytes: Buffer, limits: { maxPixels: number } = DEFAULT_LIMITS): Promise<ImageHeader> {
  if (bytes.length === 0) throw new EmptyImage('The image is empty (0 bytes). Check the URL or file.');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new UnsupportedImageFormat(`The bytes are not an image this service reads (${(err as Error).message}). Send ${ACCEPTED_FORMATS_TEXT}.`);
  }
  const format = meta.format ? ACCEPTED[meta.format] : undefined;
  if (!format) throw new UnsupportedImageFormat(`Image format ${meta.format ?? 'unknown'} is not accepted. Send ${ACCEPTED_FORMATS_TEXT}.`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new CorruptImage('The image header has no valid dimensions; the file is damaged.');
  if (width * height > limits.maxPixels) {
    throw new PixelLimitExceeded(
      `The image is ${width}x${height} (${(width * height).toLocaleString('en-US')} pixels), above the limit of ` +
        `${limits.maxPixels.toLocaleString('en-US')}. Resize it before publishing.`,
      { width, height, maxPixels: limits.maxPixels },
    );
  }
  // Orientations 5-8 swap the axes once the EXIF rotation is applied.
  const orientation = meta.orientation ?? 1;
  const swapped = orientation >= 5;
  return { format, width: swapped ? height : width, height: swapped ? width : height, orientation };
}
