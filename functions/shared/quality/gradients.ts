/**
 * One pass over the luma (half its rows, in alternate bands of 8) that gathers every sum the sharpness, blockiness and noise measures need, so
 * their cost is one read of the view: neighbour differences per direction, what a 9-tap mean filter
 * would leave of them (sharpness.ts), their totals per column and per row (blockiness.ts), per 16-pixel
 * block its activity and mean (noise.ts picks the flattest blocks from these), and the isolated pixels
 * that impulse noise leaves (noise.ts).
 *
 * The re-blurred difference needs no filtering pass: for a 9-tap running mean B, 9 (B[i] - B[i-1]) =
 * Y[i+4] - Y[i-5] (indices clamped at the borders), so everything stays in integers.
 */
import type { Planes } from './pixel-view.js';

export const TILE_SHIFT = 6; // 64-pixel tiles for sharpness
export const BLOCK_SHIFT = 4; // 16-pixel blocks for noise
/** Levels by which an impulse (salt-and-pepper) pixel stands out from all eight neighbours. */
export const SPIKE = 48;

export interface Gradients {
  tilesX: number;
  tilesY: number;
  /**
   * Per tile, per direction (horizontal, vertical, and the two diagonals, where camera shake often
   * smears): sum of |dY| x 9, and of max(0, 9|dY| - 9|dB|).
   */
  sumF: Float64Array[];
  sumV: Float64Array[];
  /** Pixels (of those sampled) that stand out from all eight neighbours by more than SPIKE levels. */
  spikes: number;
  /** Pixels the spike test looked at. */
  spikeChecked: number;
  /** Per tile: pixels counted. */
  count: Float64Array;
  /**
   * Sum of |dY| across each column boundary (index x: between columns x-1 and x) over the rows read,
   * and across each row boundary (index y: between rows y-1 and y, for the rows read), with the pixels
   * each sum covers (0 for row boundaries not read).
   */
  colStep: Float64Array;
  rowStep: Float64Array;
  colCount: number;
  rowCount: Float64Array;
  blocksX: number;
  blocksY: number;
  /** Pixels of a block that were read (half of them on views of 32 rows or more). */
  blockArea: number;
  /** Per complete 16x16 block: sum of |dY| both directions, and sum of luma, over the rows read. */
  blockActivity: Float64Array;
  blockLuma: Float64Array;
}

export function gradientsOf(p: Planes): Gradients {
  const { width: w, height: h, y } = p;
  const tilesX = Math.max(1, w >> TILE_SHIFT);
  const tilesY = Math.max(1, h >> TILE_SHIFT);
  const nt = tilesX * tilesY;
  const g: Gradients = {
    tilesX,
    tilesY,
    sumF: [0, 1, 2, 3].map(() => new Float64Array(nt)),
    sumV: [0, 1, 2, 3].map(() => new Float64Array(nt)),
    spikes: 0,
    spikeChecked: 0,
    count: new Float64Array(nt),
    colStep: new Float64Array(w),
    rowStep: new Float64Array(h),
    colCount: 0,
    rowCount: new Float64Array(h),
    blockArea: h >= 32 ? 8 << BLOCK_SHIFT : 1 << (2 * BLOCK_SHIFT),
    blocksX: w >> BLOCK_SHIFT,
    blocksY: h >> BLOCK_SHIFT,
    blockActivity: new Float64Array((w >> BLOCK_SHIFT) * (h >> BLOCK_SHIFT)),
    blockLuma: new Float64Array((w >> BLOCK_SHIFT) * (h >> BLOCK_SHIFT)),
  };
  const [fH, fV] = g.sumF;
  const [vH, vV] = g.sumV;
  const { colStep, rowStep, count, blockActivity, blockLuma, blocksX, blocksY } = g;
  // Clamped neighbours of the 9-tap window, once per call instead of per pixel.
  const right4 = new Int32Array(w);
  const left5 = new Int32Array(w);
  for (let x = 0; x < w; x++) {
    right4[x] = Math.min(w - 1, x + 4);
    left5[x] = Math.max(0, x - 5);
  }
  const SEG = 1 << BLOCK_SHIFT;
  for (let yy = 0; yy < h; yy++) {
    // Every other band of 8 rows: half the cost, every position modulo 8 still seen, and every tile and
    // block still sampled (views under 32 rows tall are read whole).
    if (h >= 32 && (yy >> 3) & 1) continue;
    const row = yy * w;
    const up = yy > 0 ? row - w : row;
    const down4 = Math.min(h - 1, yy + 4) * w;
    const up5 = Math.max(0, yy - 5) * w;
    const tBase = Math.min(tilesY - 1, yy >> TILE_SHIFT) * tilesX;
    const by = yy >> BLOCK_SHIFT;
    const bBase = by < blocksY ? by * blocksX : -1;
    let rowSum = 0;
    // 16-pixel segments: one block, a quarter of a tile; sums kept local inside a segment.
    for (let x0 = 0; x0 < w; x0 += SEG) {
      const x1 = Math.min(w, x0 + SEG);
      let sfh = 0;
      let svh = 0;
      let sfv = 0;
      let svv = 0;
      let lum = 0;
      for (let xx = x0; xx < x1; xx++) {
        const i = row + xx;
        const v = y[i];
        lum += v;
        if (xx > 0) {
          const dF = Math.abs(v - y[i - 1]);
          const dB = Math.abs(y[row + right4[xx]] - y[row + left5[xx]]);
          const d9 = 9 * dF;
          sfh += d9;
          if (d9 > dB) svh += d9 - dB;
          colStep[xx] += dF;
        }
        const dFv = Math.abs(v - y[up + xx]);
        const dBv = Math.abs(y[down4 + xx] - y[up5 + xx]);
        const d9v = 9 * dFv;
        sfv += d9v;
        if (d9v > dBv) svv += d9v - dBv;
      }
      const t = tBase + Math.min(tilesX - 1, x0 >> TILE_SHIFT);
      fH[t] += sfh;
      vH[t] += svh;
      fV[t] += sfv;
      vV[t] += svv;
      count[t] += x1 - x0;
      rowSum += sfv;
      const bx = x0 >> BLOCK_SHIFT;
      if (bBase >= 0 && bx < blocksX) {
        blockActivity[bBase + bx] += (sfh + sfv) / 9;
        blockLuma[bBase + bx] += lum;
      }
    }
    g.colCount++;
    if (yy > 0) {
      rowStep[yy] = rowSum / 9;
      g.rowCount[yy] = w;
    }
  }
  diagonalsAndSpikes(p, g);
  return g;
}

/**
 * The two diagonal directions and the impulse count, on every other pixel of every other 8-row band
 * (a sample is enough for a ratio and a share; a separate loop keeps the main one fast).
 */
function diagonalsAndSpikes({ width: w, height: h, y }: Planes, g: Gradients): void {
  const [, , fD, fA] = g.sumF;
  const [, , vD, vA] = g.sumV;
  const { tilesX, tilesY } = g;
  let spikes = 0;
  let checked = 0;
  for (let yy = 1; yy < h - 1; yy++) {
    if (h >= 32 && (yy >> 3) & 1) continue;
    const row = yy * w;
    const up = row - w;
    const below = row + w;
    const down4 = Math.min(h - 1, yy + 4) * w;
    const up5 = Math.max(0, yy - 5) * w;
    const tBase = Math.min(tilesY - 1, yy >> TILE_SHIFT) * tilesX;
    for (let xx = 1 + (yy & 1); xx < w - 1; xx += 2) {
      const t = tBase + Math.min(tilesX - 1, xx >> TILE_SHIFT);
      const i = row + xx;
      const v = y[i];
      const ul = y[up + xx - 1];
      const ur = y[up + xx + 1];
      // 9 x the re-blurred step along each diagonal: the 9-tap window's ends, clamped to the image.
      let d9 = 9 * Math.abs(v - ul);
      let dB = Math.abs(y[down4 + (xx + 4 < w ? xx + 4 : w - 1)] - y[up5 + (xx > 5 ? xx - 5 : 0)]);
      fD[t] += d9;
      if (d9 > dB) vD[t] += d9 - dB;
      d9 = 9 * Math.abs(v - ur);
      dB = Math.abs(y[down4 + (xx > 4 ? xx - 4 : 0)] - y[up5 + (xx + 5 < w ? xx + 5 : w - 1)]);
      fA[t] += d9;
      if (d9 > dB) vA[t] += d9 - dB;
      // The 8 neighbours' range: an impulse stands out from all of them; a fine highlight or a thin
      // line has a neighbour along it that is as bright (or as dark).
      // The four direct neighbours first: nearly every pixel fails there, so the corners are rarely read.
      const l = y[i - 1];
      const r = y[i + 1];
      const u = y[up + xx];
      const d = y[below + xx];
      const bl = y[below + xx - 1];
      const br = y[below + xx + 1];
      const above = v - SPIKE;
      const under = v + SPIKE;
      if (
        above > l && above > r && above > u && above > d
          ? above > ul && above > ur && above > bl && above > br
          : under < l && under < r && under < u && under < d && under < ul && under < ur && under < bl && under < br
      )
        spikes++;
      checked++;
    }
  }
  g.spikes = spikes;
  g.spikeChecked = checked;
}
