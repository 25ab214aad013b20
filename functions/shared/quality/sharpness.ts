/**
 * Sharpness: 1 minus the perceptual blur of Crété-Roffet, Dolmiere, Ladret and Nicolas ("The blur
 * effect: perception and estimation with a new no-reference perceptual blur metric", SPIE Electronic
 * Imaging 2007; the same measure as skimage.measure.blur_effect). The image is re-blurred with a 9-tap
 * mean filter; a sharp image loses much of its neighbour-to-neighbour variation, an already blurred one
 * little. Being a ratio it does not depend on the content's contrast, unlike the variance of the
 * Laplacian (Pech-Pacheco et al. 2000), whose "below 100 is blurry" holds at one size and one contrast.
 * Scale 0 (no detail left) to 1 (every variation an edge).
 *
 * Taken per 64-pixel tile of the working view, separately along the rows, the columns and both
 * diagonals: per direction, the mean of the sharpest quarter of the tiles that carry detail in that
 * direction (a portrait with a soft background is in focus where the subject is; a blurred frame is soft
 * everywhere). The blurriest direction is the measure. Motion blur smears one direction only: a tile
 * whose edges run along the motion keeps them sharp and carries no detail across it, so judging each
 * tile by its own blurriest direction would let such tiles hide the smear; judged per direction over
 * the whole frame, the tiles with detail across the motion are all soft.
 */
import type { Gradients } from './gradients.js';

/** A tile whose mean neighbour difference in a direction is below this (8-bit levels) is flat there: sky, a wall. */
const MIN_ACTIVITY = 1.5;
/** The diagonals are sampled at every other pixel (gradients.ts): their share of a tile's pixels. */
const SAMPLED = [1, 1, 0.5, 0.5];

/** 0..1; null when no tile carries detail. */
export function sharpnessOf(g: Gradients): number | null {
  let sharpness: number | null = null;
  for (let d = 0; d < g.sumF.length; d++) {
    const tiles: number[] = [];
    const f = g.sumF[d];
    const v = g.sumV[d];
    for (let t = 0; t < g.count.length; t++) {
      if (f[t] === 0 || f[t] / (9 * SAMPLED[d] * g.count[t]) < MIN_ACTIVITY) continue;
      tiles.push(v[t] / f[t]);
    }
    if (!tiles.length) continue;
    tiles.sort((a, b) => b - a);
    const top = tiles.slice(0, Math.ceil(tiles.length / 4));
    const s = top.reduce((a, b) => a + b, 0) / top.length;
    sharpness = sharpness === null ? s : Math.min(sharpness, s);
  }
  return sharpness;
}
