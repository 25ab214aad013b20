/**
 * The header check every step that touches image bytes shares (FetchImage before staging, the classifier
 * before decoding): what format, what size, and refuse pixel bombs from the header alone.
 */
import sharp, { type Metadata } from 'sharp';
import type { ImageFormat } from './contracts/index.js';
import { CorruptImage, EmptyImage, ExtremeAspectRatio, PixelLimitExceeded, UnsupportedImageFormat } from './errors.js';
import { DEFAULT_LIMITS } from './limits.js';
import { storedAsSrgb } from './pixels/icc.js';

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
  /** Frames of an animation or pages of a TIFF (1 for a still); width and height are one frame's. */
  pages: number;
  hasAlpha: boolean;
  /** HEIF coded with HEVC (a phone's HEIC), which sharp's prebuilt libvips cannot decode. */
  hevc: boolean;
  /** Tagged with a profile that is sRGB itself (functions/shared/pixels/icc.ts): decoded without a colour conversion. */
  srgbProfile: boolean;
}

/** The header limits: per frame, for all frames together, and the aspect ratio. */
export interface HeaderLimits {
  maxPixels: number;
  maxAnimationPixels?: number;
  maxAspectRatio?: number;
}

const ONE_FRAME_FORMATS = new Set(['jpeg', 'png', 'heif', 'avif']);

/**
 * An APNG's frames live in fcTL/fdAT chunks that libvips skips: it shows the default image only, which
 * need not be a frame browsers display. The acTL chunk, before the first IDAT, marks one.
 */
export function isAnimatedPng(bytes: Buffer): boolean {
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    at += 12 + len;
  }
  return false;
}

// libvips caches decoded images by default; a Lambda processing a stream of distinct photos gains
// nothing from it and pays in memory.
sharp.cache(false);

export async function readImageHeader(bytes: Buffer, limits: HeaderLimits = DEFAULT_LIMITS): Promise<ImageHeader> {
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
  const ratio = Math.max(width, height) / Math.min(width, height);
  const maxRatio = limits.maxAspectRatio ?? DEFAULT_LIMITS.maxAspectRatio;
  if (ratio > maxRatio) {
    throw new ExtremeAspectRatio(
      `The image is ${width}x${height}, ${Math.round(ratio).toLocaleString('en-US')} times longer than it is wide; at most ${maxRatio}:1 is ` +
        'looked at (a strip that thin is no picture any engine can judge). Crop it or send the picture it belongs to.',
      { width, height, maxAspectRatio: maxRatio },
    );
  }
  if (format === 'png' && isAnimatedPng(bytes)) {
    throw new UnsupportedImageFormat(
      'The image is an animated PNG (APNG): its frames cannot be decoded here, and its default image need not be one a browser shows. ' +
        'Send it as an animated WebP or GIF (every frame is checked) or as a still PNG.',
      { format: 'apng' },
    );
  }
  const pages = ONE_FRAME_FORMATS.has(format) ? 1 : Math.max(1, meta.pages ?? 1);
  const maxAnimation = limits.maxAnimationPixels ?? DEFAULT_LIMITS.maxAnimationPixels;
  if (pages > 1 && pages * width * height > maxAnimation) {
    throw new PixelLimitExceeded(
      `The image has ${pages.toLocaleString('en-US')} frames of ${width}x${height}: ${(pages * width * height).toLocaleString('en-US')} pixels to decode, ` +
        `above the limit of ${maxAnimation.toLocaleString('en-US')} for all frames together. Send fewer or smaller frames (or a video).`,
      { width, height, pages, maxAnimationPixels: maxAnimation },
    );
  }
  // Orientations 5-8 swap the axes once the EXIF rotation is applied.
  const orientation = meta.orientation ?? 1;
  const swapped = orientation >= 5;
  return {
    format,
    width: swapped ? height : width,
    height: swapped ? width : height,
    orientation,
    pages,
    hasAlpha: meta.hasAlpha === true,
    hevc: format === 'heif' && meta.compression === 'hevc',
    srgbProfile: storedAsSrgb(meta),
  };
}
