/**
 * Blockiness: JPEG's 8x8 grid seen in the pixels, for images recompressed or converted after a harsh
 * JPEG save (their own tables may say nothing). Following the boundary-versus-inside idea of Wang,
 * Sheikh and Bovik ("No-reference perceptual quality assessment of JPEG compressed images", ICIP 2002):
 * the mean absolute luma step between neighbouring columns (and rows) is grouped by position modulo 8;
 * a grid makes one phase stand out. The measure is that phase's mean over the mean of the other seven,
 * horizontally and vertically averaged. Scale: 1 = no grid, 2 = steps at block edges twice the texture
 * inside. Taking the strongest phase finds a grid shifted by a crop or a rotation. Only meaningful on
 * the image's own pixels: null when the view was downscaled.
 */
import type { Gradients } from './gradients.js';

function direction(sums: Float64Array, counts: Float64Array): number | null {
  if (counts.some((c) => c === 0)) return null;
  const means = Array.from(sums, (s, p) => s / counts[p]);
  const top = means.indexOf(Math.max(...means));
  const rest = means.reduce((s, v, p) => (p === top ? s : s + v), 0) / 7;
  // Half a level of texture inside blocks is the floor: flat q5 blocks would otherwise divide by ~0.
  return means[top] / Math.max(rest, 0.5);
}

export function blockinessOf(g: Gradients, native: boolean): number | null {
  if (!native) return null;
  const hz = direction(g.phaseH, g.phaseCountH);
  const vt = direction(g.phaseV, g.phaseCountV);
  return hz === null || vt === null ? null : (hz + vt) / 2;
}
