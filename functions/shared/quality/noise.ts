/**
 * Noise: Immerkær's fast noise variance estimate ("Fast noise variance estimation", Computer Vision and
 * Image Understanding 64(2), 1996): sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N|, with N the
 * difference of two Laplacians [1 -2 1; -2 4 -2; 1 -2 1], which cancels smooth structure and keeps
 * pixel-to-pixel noise. It is taken per 16-pixel block, over the flattest blocks only (least luma
 * activity, from gradients.ts), away from clipped blacks and whites where noise is cut off, and the
 * median over those blocks is reported.
 *
 * Fine texture (grass, sand, fabric) filling the whole frame still reads as luma noise, so two numbers:
 * - noise: on luma, in 8-bit levels, with noiseScaleRatio: the same estimate on the blocks averaged
 *   2x2 over the full-resolution one. Averaging four independent samples halves white noise (0.5),
 *   while texture, correlated over more than a pixel, keeps more of its level (0.75 and up on the
 *   grass, sand and feathers of the labelled photos); the policy trusts luma noise only below a ratio;
 * - chromaNoise: on the colour differences Cb and Cr (BT.601), scaled so that noise added independently
 *   to R, G and B of sigma s reads s. Texture in a photo is nearly the same in R, G and B and cancels in
 *   Cb and Cr; sensor noise, added noise and chroma noise do not. A JPEG's chroma subsampling removes most of it,
 *   so it matters for PNG and lightly compressed uploads. Grain on a black-and-white photo shows in
 *   `noise` alone.
 * Impulse (salt-and-pepper) noise is sparse, so the block estimates see little of it: impulseNoise counts
 * the pixels that stand out from all eight neighbours by more than 48 levels instead (a share, 0..1;
 * the median-filter residual idea of impulse detectors, with the 3x3 range in place of the median).
 */
import { BLOCK_SHIFT, type Gradients } from './gradients.js';
import type { Planes } from './pixel-view.js';

const BLOCK = 1 << BLOCK_SHIFT;
/** The share of measurable blocks, flattest first, the estimate is taken over; at most MAX_BLOCKS. */
const FLAT_SHARE = 0.3;
const MAX_BLOCKS = 48;
/** sqrt of the sum of squared BT.601 weights: the sigma of Cb (Cr) per unit of independent RGB noise. */
const CB_GAIN = Math.hypot(0.168736, 0.331264, 0.5);
const CR_GAIN = Math.hypot(0.5, 0.418688, 0.081312);

/** Immerkær's sigma over an n x n plane (its interior). */
function immerkaer(plane: Float32Array, n = BLOCK): number {
  let s = 0;
  for (let yy = 1; yy < n - 1; yy++) {
    for (let xx = 1; xx < n - 1; xx++) {
      const i = yy * n + xx;
      const a = i - n;
      const b = i + n;
      s += Math.abs(
        plane[a - 1] - 2 * plane[a] + plane[a + 1] - 2 * plane[i - 1] + 4 * plane[i] - 2 * plane[i + 1] + plane[b - 1] - 2 * plane[b] + plane[b + 1],
      );
    }
  }
  return (Math.sqrt(Math.PI / 2) * s) / (6 * (n - 2) * (n - 2));
}

/** The block averaged 2x2 (16 -> 8 pixels a side). */
function halve(plane: Float32Array, out: Float32Array): Float32Array {
  const h = BLOCK >> 1;
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < h; xx++) {
      const i = 2 * yy * BLOCK + 2 * xx;
      out[yy * h + xx] = (plane[i] + plane[i + 1] + plane[i + BLOCK] + plane[i + BLOCK + 1]) / 4;
    }
  }
  return out;
}

export interface NoiseMeasures {
  /** 8-bit levels; null when no block is measurable (tiny, or clipped everywhere). */
  noise: number | null;
  /** Luma sigma at half resolution over sigma at full: about 0.5 for white noise, 0.75 and up for texture. */
  noiseScaleRatio: number | null;
  chromaNoise: number | null;
  /** Share of pixels standing out from all eight neighbours by more than SPIKE levels (impulse noise). */
  impulseNoise: number;
}

export function noiseOf(p: Planes, g: Gradients): NoiseMeasures {
  const blocks: number[] = [];
  for (let b = 0; b < g.blockActivity.length; b++) {
    const mean = g.blockLuma[b] / g.blockArea;
    if (mean >= 16 && mean <= 240) blocks.push(b);
  }
  const impulseNoise = g.spikeChecked ? g.spikes / g.spikeChecked : 0;
  if (!blocks.length) return { noise: null, noiseScaleRatio: null, chromaNoise: null, impulseNoise };
  blocks.sort((a, b) => g.blockActivity[a] - g.blockActivity[b]);
  const chosen = blocks.slice(0, Math.max(1, Math.min(MAX_BLOCKS, Math.round(blocks.length * FLAT_SHARE))));
  const y = new Float32Array(BLOCK * BLOCK);
  const cb = new Float32Array(BLOCK * BLOCK);
  const cr = new Float32Array(BLOCK * BLOCK);
  const half = new Float32Array((BLOCK >> 1) * (BLOCK >> 1));
  const luma: number[] = [];
  const ratio: number[] = [];
  const chroma: number[] = [];
  for (const b of chosen) {
    const x0 = (b % g.blocksX) * BLOCK;
    const y0 = Math.floor(b / g.blocksX) * BLOCK;
    for (let yy = 0; yy < BLOCK; yy++) {
      let j = ((y0 + yy) * p.width + x0) * 3;
      for (let xx = 0; xx < BLOCK; xx++, j += 3) {
        const r = p.rgb[j];
        const gr = p.rgb[j + 1];
        const bl = p.rgb[j + 2];
        const k = yy * BLOCK + xx;
        y[k] = 0.299 * r + 0.587 * gr + 0.114 * bl;
        cb[k] = -0.168736 * r - 0.331264 * gr + 0.5 * bl;
        cr[k] = 0.5 * r - 0.418688 * gr - 0.081312 * bl;
      }
    }
    const sigma = immerkaer(y);
    luma.push(sigma);
    // Below a quarter level the block is flat and says nothing about the kind of variation.
    if (sigma >= 0.25) ratio.push(immerkaer(halve(y, half), BLOCK >> 1) / sigma);
    chroma.push(Math.max(immerkaer(cb) / CB_GAIN, immerkaer(cr) / CR_GAIN));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { noise: median(luma), noiseScaleRatio: ratio.length ? median(ratio) : null, chromaNoise: median(chroma), impulseNoise };
}
