/**
 * Sharpness: 1 minus the perceptual blur of Crété-Roffet, Dolmiere, Ladret and Nicolas ("The blur
 * effect: perception and estimation with a new no-reference perceptual blur metric", SPIE Electronic
 * Imaging 2007; the same measure as skimage.measure.blur_effect). The image is re-blurred with a 9-tap
 * mean filter; a sharp image loses much of its neighbour-to-neighbour variation, an already blurred one
 * little. Being a ratio it does not depend on the content's contrast, unlike the variance of the
 * Laplacian (Pech-Pacheco et al. 2000), whose "below 100 is blurry" holds at one size and one contrast.
 * Scale 0 (no detail left) to 1 (every variation an edge). Taken along the rows, the columns and both
 * diagonals, and the blurriest direction counts, so motion blur in any one direction is seen (edges
 * along the motion stay sharp and would hide it from the other directions).
 *
 * Computed per 64-pixel tile of the working view and summarised by the sharpest quarter of the tiles
 * that carry detail: a portrait with a soft background is in focus where the subject is, a blurred
 * frame is soft everywhere.
 */
import type { Gradients } from './gradients.js';

/** A tile whose mean neighbour difference is below this (8-bit levels) is flat: sky, a wall. */
const MIN_ACTIVITY = 1.5;

/** 0..1; null when no tile carries detail. */
export function sharpnessOf(g: Gradients): number | null {
  const tiles: number[] = [];
  const [fH, fV] = g.sumF;
  for (let t = 0; t < g.count.length; t++) {
    if (g.count[t] === 0 || (fH[t] + fV[t]) / (18 * g.count[t]) < MIN_ACTIVITY) continue;
    let blur = 0;
    for (let d = 0; d < g.sumF.length; d++) {
      const f = g.sumF[d][t];
      blur = Math.max(blur, f > 0 ? (f - g.sumV[d][t]) / f : 1);
    }
    tiles.push(1 - blur);
  }
  if (!tiles.length) return null;
  tiles.sort((a, b) => b - a);
  const top = tiles.slice(0, Math.ceil(tiles.length / 4));
  return top.reduce((s, v) => s + v, 0) / top.length;
}
