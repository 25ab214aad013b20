/**
 * What the analysis steps look at, decided once in FetchImage so every engine sees the same pictures:
 *
 * - A still, opaque JPEG or PNG that Rekognition accepts as it is (functions/shared/limits.ts
 *   REKOGNITION_IMAGE_LIMITS) is its own view: nothing is re-encoded.
 * - Anything else gets JPEG views within those limits: WebP, AVIF, TIFF, GIF, HEIC (decoded with
 *   libheif's wasm build, sharp's libvips has no HEVC decoder), files over 5 MB, sides under 80 or
 *   over 10,000 pixels.
 * - Animations (GIF, WebP) and multi-page TIFFs: every frame is decoded (the header already refused more
 *   than maxAnimationPixels in all), identical or near-identical consecutive frames count once, and up to
 *   maxCheckedFrames of the distinct frames, sampled evenly from first to last, become views.
 * - Transparency that carries content (at least 1 % of the pixels see-through) is flattened twice, on a
 *   white and on a black page: a picture drawn in the alpha channel alone is blank on white and plain on
 *   black, and the blog's page may be either. Less than that (antialiased corners) is flattened on white.
 */
import sharp, { type Sharp } from 'sharp';
import type { CheckedView } from '../shared/contracts/index.js';
import { CorruptImage } from '../shared/errors.js';
import type { ImageHeader } from '../shared/image-header.js';
import { REKOGNITION_IMAGE_LIMITS as REK } from '../shared/limits.js';
import { VIEW_MAX_SIDE, type PixelView } from '../shared/pixels/view.js';

export interface ViewLimits {
  maxPixels: number;
  maxAnimationPixels: number;
  maxCheckedFrames: number;
}

/** A view before staging: its JPEG and which frame / background it shows. */
export type RenderedView = Pick<CheckedView, 'width' | 'height' | 'frame' | 'background'> & { jpeg: Buffer };

/** `pixelView`: the first view's pixels at the shared view's size, for the per-image measures. */
export type ViewPlan = { kind: 'original' } | { kind: 'views'; views: RenderedView[]; pixelView: PixelView };

/** Longest side of a still's view: enough for every model (224-299 px inputs) and for Rekognition. */
const STILL_VIEW_SIDE = 2048;
/** Longest side of a frame's view, and the budget for all decoded frames at once (RGBA). */
const FRAME_VIEW_SIDE = 1024;
const FRAME_STRIP_PIXELS = 16_000_000;
/** Smallest frame kept for analysis: the strip budget shrinks frames of long animations towards this. */
const MIN_FRAME_SIDE = 128;
/** Mean absolute difference (0..255) of two 16 x 16 grey thumbnails below which frames are the same picture. */
const SAME_FRAME_DIFFERENCE = 3;
/** Share of see-through pixels (alpha below 250) from which transparency is content. */
const MEANINGFUL_ALPHA_SHARE = 0.01;
const JPEG_QUALITY = 90;

interface Frame {
  /** Interleaved 8-bit sRGB, 4 channels (alpha straight). */
  data: Buffer;
  width: number;
  height: number;
  /** 0-based frame or page of the original. */
  index: number;
}

const corrupt = (err: unknown) =>
  new CorruptImage(`The image could not be decoded (${(err as Error).message}); it is truncated or damaged. Re-export it and try again.`);

/** True when Rekognition (and every other engine) reads the staged original as it is. */
export function readableAsIs(header: Pick<ImageHeader, 'format' | 'width' | 'height' | 'pages' | 'hevc'>, bytes: number): boolean {
  return (
    REK.formats.includes(header.format) &&
    header.pages === 1 &&
    !header.hevc &&
    bytes <= REK.maxBytes &&
    Math.min(header.width, header.height) >= REK.minSide &&
    Math.max(header.width, header.height) <= REK.maxSide
  );
}

/**
 * A view's size: at most `maxSide` on the longer side, at least Rekognition's minimum on the shorter
 * (a 40 x 40 icon is enlarged to 80 x 80). The header check (maxAspectRatio 125) keeps both possible.
 */
export function checkedViewSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  let scale = Math.min(1, maxSide / Math.max(width, height));
  if (Math.min(width, height) * scale < REK.minSide) scale = REK.minSide / Math.min(width, height);
  const fit = (n: number) => Math.min(REK.maxSide, Math.max(REK.minSide, Math.round(n * scale)));
  return { width: fit(width), height: fit(height) };
}

/** Share of pixels whose alpha is below 250. */
export function seeThroughShare(rgba: Uint8Array): number {
  let n = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] < 250) n++;
  return n / (rgba.length / 4);
}

/** RGBA onto an opaque page of one grey level: what a browser shows on that background. */
export function flatten(rgba: Uint8Array, background: number): Buffer {
  const out = Buffer.allocUnsafe((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    const a = rgba[i + 3];
    const b = background * (255 - a);
    out[o] = Math.round((rgba[i] * a + b) / 255);
    out[o + 1] = Math.round((rgba[i + 1] * a + b) / 255);
    out[o + 2] = Math.round((rgba[i + 2] * a + b) / 255);
  }
  return out;
}

/** A 16 x 16 grey thumbnail (area average, alpha over mid grey) for telling frames apart. */
export function thumbnail(frame: Pick<Frame, 'data' | 'width' | 'height'>): Float64Array {
  const n = 16;
  const sum = new Float64Array(n * n);
  const count = new Float64Array(n * n);
  const { data, width, height } = frame;
  for (let y = 0; y < height; y++) {
    const ty = Math.min(n - 1, Math.floor((y * n) / height));
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const a = data[i + 3] / 255;
      const grey = (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]) * a + 128 * (1 - a);
      const t = ty * n + Math.min(n - 1, Math.floor((x * n) / width));
      sum[t] += grey;
      count[t]++;
    }
  }
  return sum.map((s, t) => s / Math.max(1, count[t]));
}

const difference = (a: Float64Array, b: Float64Array) => a.reduce((d, v, i) => d + Math.abs(v - b[i]), 0) / a.length;

/** Indices of the frames that differ from the last distinct one before them (the first always counts). */
export function distinctFrames(thumbs: readonly Float64Array[], threshold = SAME_FRAME_DIFFERENCE): number[] {
  const kept: number[] = [];
  for (let i = 0; i < thumbs.length; i++) {
    if (kept.length === 0 || difference(thumbs[i], thumbs[kept[kept.length - 1]]) >= threshold) kept.push(i);
  }
  return kept;
}

/** At most `max` items spread evenly from the first to the last. */
export function sampleEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max === 1) return [items[0]];
  return Array.from({ length: max }, (_, k) => items[Math.round((k * (items.length - 1)) / (max - 1))]);
}

async function rgba(pipeline: Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await pipeline.toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Every frame of a GIF or WebP animation, each shrunk so that all of them fit the strip budget. */
async function animationFrames(bytes: Buffer, header: ImageHeader, limits: ViewLimits): Promise<Frame[]> {
  const pages = header.pages;
  const side = Math.max(MIN_FRAME_SIDE, Math.min(FRAME_VIEW_SIDE, Math.floor(Math.sqrt(FRAME_STRIP_PIXELS / pages))));
  const scale = Math.min(1, side / Math.max(header.width, header.height));
  const width = Math.max(1, Math.round(header.width * scale));
  const height = Math.max(1, Math.round(header.height * scale));
  // libvips stacks the frames vertically; sharp resizes each frame (page) on its own.
  const strip = await rgba(
    sharp(bytes, { pages: -1, failOn: 'error', limitInputPixels: limits.maxAnimationPixels, ignoreIcc: header.srgbProfile }).resize(width, height, {
      fit: 'fill',
      kernel: 'lanczos3',
    }),
  );
  const frameHeight = strip.height / pages;
  if (strip.width !== width || !Number.isInteger(frameHeight)) throw new CorruptImage(`The animation's ${pages} frames did not decode to equal frames.`);
  const size = width * frameHeight * 4;
  return Array.from({ length: pages }, (_, index) => ({
    data: strip.data.subarray(index * size, (index + 1) * size),
    width,
    height: frameHeight,
    index,
  }));
}

/** Pages of a TIFF (each its own size), sampled before decoding: pages are independent, unlike frames. */
async function tiffPages(bytes: Buffer, header: ImageHeader, limits: ViewLimits): Promise<Frame[]> {
  const indices = sampleEvenly(
    Array.from({ length: header.pages }, (_, i) => i),
    limits.maxCheckedFrames * 2,
  );
  return Promise.all(
    indices.map(async (index) => ({
      ...(await rgba(
        sharp(bytes, { page: index, pages: 1, failOn: 'error', limitInputPixels: limits.maxPixels }).resize(FRAME_VIEW_SIDE, FRAME_VIEW_SIDE, {
          fit: 'inside',
          withoutEnlargement: true,
        }),
      )),
      index,
    })),
  );
}

/** HEVC-coded HEIF with libheif's wasm build (the primary image, its rotation and mirroring applied). */
async function heicFrame(bytes: Buffer): Promise<Frame> {
  const { default: decode } = await import('heic-decode');
  const image = await decode({ buffer: bytes });
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return { data, width: image.width, height: image.height, index: 0 };
}

async function stillFrame(bytes: Buffer, header: ImageHeader, limits: ViewLimits): Promise<Frame> {
  if (header.hevc) return heicFrame(bytes);
  const image = await rgba(
    sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels, pages: 1, ignoreIcc: header.srgbProfile })
      .rotate()
      .resize(STILL_VIEW_SIDE, STILL_VIEW_SIDE, { fit: 'inside', withoutEnlargement: true }),
  );
  return { ...image, index: 0 };
}

async function encode(rgb: Buffer, width: number, height: number, maxSide: number): Promise<Pick<RenderedView, 'jpeg' | 'width' | 'height'>> {
  const size = checkedViewSize(width, height, maxSide);
  const base = sharp(rgb, { raw: { width, height, channels: 3 } });
  const resized = size.width === width && size.height === height ? base : base.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
  let jpeg = await resized.clone().jpeg({ quality: JPEG_QUALITY }).toBuffer();
  // A noisy 2048-px still can pass 5 MB at quality 90; Rekognition refuses anything over it.
  if (jpeg.length > REK.maxBytes) jpeg = await resized.clone().jpeg({ quality: 70 }).toBuffer();
  return { jpeg, ...size };
}

/** One frame's views: on white only, or on white and black when its transparency carries content. */
async function frameViews(frame: Frame, frameNumber: number | undefined, maxSide: number): Promise<RenderedView[]> {
  const backgrounds: Array<'light' | 'dark'> = seeThroughShare(frame.data) >= MEANINGFUL_ALPHA_SHARE ? ['light', 'dark'] : ['light'];
  return Promise.all(
    backgrounds.map(async (background) => ({
      ...(await encode(flatten(frame.data, background === 'light' ? 255 : 0), frame.width, frame.height, maxSide)),
      ...(frameNumber !== undefined ? { frame: frameNumber } : {}),
      ...(backgrounds.length > 1 ? { background } : {}),
    })),
  );
}

/** The shared pixel view (functions/shared/pixels/view.ts) of a decoded frame, on a white page as every view's default. */
async function pixelViewOf(frame: Frame): Promise<PixelView> {
  const { data, info } = await sharp(flatten(frame.data, 255), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(VIEW_MAX_SIDE, VIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data };
}

/**
 * The views of one validated image (its header already passed the pixel, frame and aspect checks). Also
 * the validation decode: a frame or page that does not decode is CorruptImage here.
 */
export async function renderViews(bytes: Buffer, header: ImageHeader, limits: ViewLimits): Promise<ViewPlan> {
  if (readableAsIs(header, bytes.length) && !header.hasAlpha) return { kind: 'original' };
  try {
    if (header.pages === 1) {
      const frame = await stillFrame(bytes, header, limits);
      const views = await frameViews(frame, undefined, STILL_VIEW_SIDE);
      if (views.length === 1 && readableAsIs(header, bytes.length)) return { kind: 'original' };
      return { kind: 'views', views, pixelView: await pixelViewOf(frame) };
    }
    const frames = header.format === 'tiff' ? await tiffPages(bytes, header, limits) : await animationFrames(bytes, header, limits);
    const distinct = distinctFrames(frames.map(thumbnail)).map((i) => frames[i]);
    const checked = sampleEvenly(distinct, limits.maxCheckedFrames);
    const views = await Promise.all(checked.map((f) => frameViews(f, f.index + 1, FRAME_VIEW_SIDE)));
    return { kind: 'views', views: views.flat(), pixelView: await pixelViewOf(checked[0]) };
  } catch (err) {
    if (err instanceof CorruptImage) throw err;
    throw corrupt(err);
  }
}
