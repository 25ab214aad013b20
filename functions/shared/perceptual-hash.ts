/**
 * Perceptual hashes of a decoded image, for recognising a picture that comes back re-encoded, resized,
 * slightly cropped, brightened or converted to another format (near-duplicate memory).
 *
 * The key is a 64-bit DCT pHash (Zauner 2010, "Implementation and Benchmarking of Perceptual Image Hash
 * Functions"; the variant of Python's `imagehash.phash`: luma averaged onto 32 x 32, 2-D DCT-II, the
 * 8 x 8 lowest frequencies against their median). A 64-bit dHash (Krawetz, "Kind of like that": 9 x 8
 * luma, each cell against its right neighbour) is a second, independent check on every candidate.
 * Both are also taken of the picture's centre (4 % trimmed on each side): a crop of a few percent on
 * every side rescales the picture, which moves DCT frequencies, but the cropped copy's whole-picture
 * hash equals the original's centre hash. Which window pairs are compared, the thresholds and the
 * measured false-match rates: README.md ("Near-duplicate memory").
 *
 * Pure and synchronous on the pixel view FetchImage decodes anyway: one pass over its pixels onto a
 * 64 x 64 luma grid, then four small transforms (about 0.5 ms per image, `npm run bench`).
 */

import type { PerceptualHashes } from './contracts/index.js';
import type { PixelView } from './pixels/view.js';

/** A window of a plane in fractions of its width and height. */
interface Window {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const WHOLE: Window = { left: 0, top: 0, right: 1, bottom: 1 };
/** The centre: what is left after a crop of 4 % on every side. */
export const INNER_TRIM = 0.04;
const INNER: Window = { left: INNER_TRIM, top: INNER_TRIM, right: 1 - INNER_TRIM, bottom: 1 - INNER_TRIM };

/** Every hash starts from this grid; finer than the 32 x 32 pHash plane so the centre window can be cut from it. */
const GRID = 64;
const DCT_SIDE = 32;
const DCT_LOW = 8;

/** Box-filter weights that average source positions [from, to) onto `cells` equal cells (fractional overlaps). */
interface AxisWeights {
  start: Int32Array;
  count: Int32Array;
  /** Cell c's weights start at c * stride. */
  weights: Float32Array;
  stride: number;
}

function axisWeights(from: number, to: number, cells: number): AxisWeights {
  const step = (to - from) / cells;
  const stride = Math.ceil(step) + 2;
  const start = new Int32Array(cells);
  const count = new Int32Array(cells);
  const weights = new Float32Array(cells * stride);
  for (let c = 0; c < cells; c++) {
    const a = from + c * step;
    const b = a + step;
    const s = Math.floor(a);
    const e = Math.min(Math.ceil(b), Math.ceil(to));
    start[c] = s;
    count[c] = e - s;
    for (let x = s; x < e; x++) weights[c * stride + x - s] = Math.min(b, x + 1) - Math.max(a, x);
  }
  return { start, count, weights, stride };
}

/** Second pass of a separable area average: rows of `rowSums` (already averaged along x) onto `wy`'s cells. */
function averageRows(rowSums: Float32Array, firstRow: number, cols: number, wy: AxisWeights, rows: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = wy.start[r];
    const wo = r * wy.stride;
    for (let k = 0; k < wy.count[r]; k++) {
      const w = wy.weights[wo + k];
      const o = (s + k - firstRow) * cols;
      for (let c = 0; c < cols; c++) out[r * cols + c] += w * rowSums[o + c];
    }
  }
  return out;
}

/**
 * Rec. 601 luma of the view averaged onto GRID x GRID cells, in one pass that reads every pixel once
 * (integer weights: cells are whole runs of pixels, 7 or 8 wide for a 500-pixel view). Point-sampling fewer
 * pixels was measured and rejected: it aliases fine textures (a knitted jersey moved 12 bits at 70 %).
 * A view smaller than the grid is spread with fractional weights instead.
 */
export function lumaGrid(view: PixelView): Float32Array {
  const { width, height, data } = view;
  if (width < GRID || height < GRID) return spreadGrid(view);
  // Cell c covers columns [edge[c], edge[c + 1]) and rows [rowEdge[r], rowEdge[r + 1]).
  const edge = new Int32Array(GRID + 1);
  const rowEdge = new Int32Array(GRID + 1);
  for (let c = 0; c <= GRID; c++) {
    edge[c] = Math.ceil((c * width) / GRID);
    rowEdge[c] = Math.ceil((c * height) / GRID);
  }
  const sums = new Float64Array(GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  for (let r = 0; r < GRID; r++) {
    for (let y = rowEdge[r]; y < rowEdge[r + 1]; y++) {
      const row = y * width * 3;
      for (let c = 0; c < GRID; c++) {
        let sum = 0;
        for (let j = row + edge[c] * 3, end = row + edge[c + 1] * 3; j < end; j += 3) sum += 299 * data[j] + 587 * data[j + 1] + 114 * data[j + 2];
        sums[r * GRID + c] += sum;
      }
    }
    for (let c = 0; c < GRID; c++) counts[r * GRID + c] = (rowEdge[r + 1] - rowEdge[r]) * (edge[c + 1] - edge[c]);
  }
  const out = new Float32Array(GRID * GRID);
  for (let i = 0; i < out.length; i++) out[i] = sums[i] / counts[i] / 1000;
  return out;
}

function spreadGrid(view: PixelView): Float32Array {
  const { width, height, data } = view;
  const wx = axisWeights(0, width, GRID);
  const wy = axisWeights(0, height, GRID);
  const rowSums = new Float32Array(height * GRID);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < GRID; c++) {
      let sum = 0;
      for (let k = 0, j = (r * width + wx.start[c]) * 3; k < wx.count[c]; k++, j += 3) {
        sum += wx.weights[c * wx.stride + k] * (0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2]);
      }
      rowSums[r * GRID + c] = sum;
    }
  }
  return averageRows(rowSums, 0, GRID, wy, GRID);
}

/** How a window of the grid is averaged onto cols x rows cells: fixed, so built once. */
interface Plan {
  wx: AxisWeights;
  wy: AxisWeights;
  cols: number;
  rows: number;
}

function plan(win: Window, cols: number, rows: number): Plan {
  return { wx: axisWeights(win.left * GRID, win.right * GRID, cols), wy: axisWeights(win.top * GRID, win.bottom * GRID, rows), cols, rows };
}

function resample(grid: Float32Array, { wx, wy, cols, rows }: Plan): Float32Array {
  const first = wy.start[0];
  const last = wy.start[rows - 1] + wy.count[rows - 1];
  const rowSums = new Float32Array((last - first) * cols);
  for (let y = first; y < last; y++) {
    for (let c = 0; c < cols; c++) {
      const wo = c * wx.stride;
      const s = y * GRID + wx.start[c];
      let sum = 0;
      for (let k = 0; k < wx.count[c]; k++) sum += wx.weights[wo + k] * grid[s + k];
      rowSums[(y - first) * cols + c] = sum;
    }
  }
  return averageRows(rowSums, first, cols, wy, rows);
}

const COS = (() => {
  const t = new Float64Array(DCT_LOW * DCT_SIDE);
  for (let k = 0; k < DCT_LOW; k++) for (let n = 0; n < DCT_SIDE; n++) t[k * DCT_SIDE + n] = Math.cos(((2 * n + 1) * k * Math.PI) / (2 * DCT_SIDE));
  return t;
})();

/** The DCT_LOW x DCT_LOW lowest DCT-II coefficients of a DCT_SIDE square (unscaled: only their order matters). */
function lowDct(plane: Float32Array): Float64Array {
  const tmp = new Float64Array(DCT_SIDE * DCT_LOW);
  for (let y = 0; y < DCT_SIDE; y++) {
    for (let v = 0; v < DCT_LOW; v++) {
      let s = 0;
      for (let x = 0; x < DCT_SIDE; x++) s += plane[y * DCT_SIDE + x] * COS[v * DCT_SIDE + x];
      tmp[y * DCT_LOW + v] = s;
    }
  }
  const out = new Float64Array(DCT_LOW * DCT_LOW);
  for (let u = 0; u < DCT_LOW; u++) {
    for (let v = 0; v < DCT_LOW; v++) {
      let s = 0;
      for (let y = 0; y < DCT_SIDE; y++) s += tmp[y * DCT_LOW + v] * COS[u * DCT_SIDE + y];
      out[u * DCT_LOW + v] = s;
    }
  }
  return out;
}

const PLANS = {
  pWhole: plan(WHOLE, DCT_SIDE, DCT_SIDE),
  pInner: plan(INNER, DCT_SIDE, DCT_SIDE),
  dWhole: plan(WHOLE, 9, 8),
  dInner: plan(INNER, 9, 8),
};

/** 64 booleans as 16 hex digits, first bit most significant. */
function hex64(bit: (i: number) => boolean): string {
  let hex = '';
  for (let i = 0; i < 64; i += 4) hex += ((+bit(i) << 3) | (+bit(i + 1) << 2) | (+bit(i + 2) << 1) | +bit(i + 3)).toString(16);
  return hex;
}

function pHashOf(grid: Float32Array, p: Plan): string {
  const c = lowDct(resample(grid, p));
  const sorted = Float64Array.from(c).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  return hex64((i) => c[i] > median);
}

function dHashOf(grid: Float32Array, p: Plan): string {
  const g = resample(grid, p);
  return hex64((i) => g[(i >> 3) * 9 + (i & 7)] < g[(i >> 3) * 9 + (i & 7) + 1]);
}

/** The four hashes of one picture (whole and centre, pHash and dHash). */
export function perceptualHashes(view: PixelView): PerceptualHashes {
  return hashesOfGrid(lumaGrid(view));
}

export function hashesOfGrid(grid: Float32Array): PerceptualHashes {
  return {
    pHash: pHashOf(grid, PLANS.pWhole),
    dHash: dHashOf(grid, PLANS.dWhole),
    innerPHash: pHashOf(grid, PLANS.pInner),
    innerDHash: dHashOf(grid, PLANS.dInner),
  };
}

const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1];
  return t;
})();

/** Bits in which two 64-bit hashes (16 hex digits each) differ. */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 2) d += POPCOUNT[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)];
  return d;
}
