/**
 * The planes every quality measure reads, derived once from the shared pixel view of FetchImage's one
 * decode (functions/shared/pixels/view.ts). Measures are taken at the view's size (long side at most
 * VIEW_MAX_SIDE; a larger view handed in is box-reduced first) so a 4000-pixel photo and a 400-pixel one
 * are judged at the same scale, the size a blog shows them at, and the cost per image is bounded.
 */
import { VIEW_MAX_SIDE, type PixelView } from '../pixels/view.js';

export interface Planes {
  width: number;
  height: number;
  /** RGB interleaved at the working size. */
  rgb: Uint8Array;
  /** Luma, ITU-R BT.601 weights (JPEG's YCbCr), rounded to 8 bits. */
  y: Uint8Array;
  /** The factor the view was reduced by (1: the view's own pixels). */
  reduced: number;
}

function reduce(view: PixelView, f: number): { rgb: Uint8Array; width: number; height: number } {
  const width = Math.floor(view.width / f);
  const height = Math.floor(view.height / f);
  const rgb = new Uint8Array(width * height * 3);
  const src = view.data;
  const n = f * f;
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      let sr = 0;
      let sg = 0;
      let sb = 0;
      for (let dy = 0; dy < f; dy++) {
        let i = ((oy * f + dy) * view.width + ox * f) * 3;
        for (let dx = 0; dx < f; dx++, i += 3) {
          sr += src[i];
          sg += src[i + 1];
          sb += src[i + 2];
        }
      }
      const o = (oy * width + ox) * 3;
      rgb[o] = Math.round(sr / n);
      rgb[o + 1] = Math.round(sg / n);
      rgb[o + 2] = Math.round(sb / n);
    }
  }
  return { rgb, width, height };
}

export function planesOf(view: PixelView): Planes {
  const f = Math.max(1, Math.ceil(Math.max(view.width, view.height) / VIEW_MAX_SIDE));
  const { rgb, width, height } = f === 1 ? { rgb: view.data, width: view.width, height: view.height } : reduce(view, f);
  const n = width * height;
  const y = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) y[i] = (19595 * rgb[j] + 38470 * rgb[j + 1] + 7471 * rgb[j + 2] + 32768) >> 16;
  return { width, height, rgb, y, reduced: f };
}
