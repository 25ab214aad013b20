/**
 * Blockiness: JPEG's 8x8 grid seen in the pixels, for images recompressed or converted after a harsh
 * JPEG save (their own tables may say nothing). Following the boundary-versus-inside idea of Wang,
 * Sheikh and Bovik ("No-reference perceptual quality assessment of JPEG compressed images", ICIP 2002):
 * the mean absolute luma step across each column (and row) boundary is grouped by the boundary's
 * position modulo 8 in the original image; a grid makes one phase stand out. The measure is that
 * phase's mean over the mean of the other phases, horizontally and vertically averaged. Scale: 1 = no
 * grid, 2 = steps at block edges twice the texture inside. Taking the strongest phase finds a grid
 * shifted by a crop.
 *
 * On a view reduced from a larger image, a view boundary x lies at x / scale in the original, which
 * gives its phase; the resize blurs the grid, so the same JPEG reads lower (on the DEV photos a q10
 * grid's excess over 1 keeps about half of itself at 0.9x and a quarter at 0.5x). That reading is
 * reported apart, as reducedBlockiness, with its own band. Below 0.5x the grid is gone: null.
 */
import type { Gradients } from './gradients.js';

/** Reduced further than this, the resize leaves nothing of an 8-pixel grid to measure. */
const MIN_SCALE = 0.5;

function direction(steps: Float64Array, counts: (i: number) => number, scale: number): number | null {
  const sums = new Float64Array(8);
  const n = new Float64Array(8);
  for (let i = 1; i < steps.length; i++) {
    const c = counts(i);
    if (!c) continue;
    const p = Math.round(i / scale) & 7;
    sums[p] += steps[i];
    n[p] += c;
  }
  const means: number[] = [];
  for (let p = 0; p < 8; p++) if (n[p]) means.push(sums[p] / n[p]);
  if (means.length < 2) return null;
  const top = Math.max(...means);
  const rest = (means.reduce((s, v) => s + v, 0) - top) / (means.length - 1);
  // Half a level of texture inside blocks is the floor: flat q5 blocks would otherwise divide by ~0.
  return top / Math.max(rest, 0.5);
}

/** The grid measure for a view at `scale` x the original's size on each axis (1: the image's own pixels). */
export function blockinessOf(g: Gradients, scaleX: number, scaleY: number): number | null {
  if (Math.min(scaleX, scaleY) < MIN_SCALE) return null;
  const hz = direction(g.colStep, () => g.colCount, scaleX);
  const vt = direction(g.rowStep, (i) => g.rowCount[i], scaleY);
  return hz === null || vt === null ? null : (hz + vt) / 2;
}
