/**
 * FetchImage's one decode: the view every image gets (functions/shared/pixels/view.ts) and, locally,
 * the full-size raster both models reuse where that is exact (functions/shared/raster.ts). When the
 * raster is decoded the view is taken from it wherever that gives decodeView()'s pixels, so a local run
 * still decodes the bytes once and its measures equal the Lambda's.
 */
import type { ImageHeader } from '../image-header.js';
import { decodeRaster, rasterIsExact, type Raster } from '../raster.js';
import { decodeView, viewFromRasterIsExact, viewOfRaster, type PixelView } from './view.js';

export interface DecodedImage {
  view: PixelView;
  /** Only when asked for and exact for the models (local mode). */
  raster?: Raster;
}

export async function decodeImage(bytes: Buffer, header: ImageHeader, limits: { maxPixels: number }, opts: { keepRaster: boolean }): Promise<DecodedImage> {
  if (!opts.keepRaster || !rasterIsExact(header)) return { view: await decodeView(bytes, limits, header) };
  const raster = await decodeRaster(bytes, limits.maxPixels, header);
  // A rare panorama (short side under 448, long side 1024+) shrinks on load for its view: one more decode.
  const view = viewFromRasterIsExact(header) ? await viewOfRaster(raster) : await decodeView(bytes, limits, header);
  return { view, raster };
}
