/**
 * The quality a JPEG was saved at, read from its quantisation tables (DQT segments) without decoding:
 * the IJG library (libjpeg, used by most encoders and by sharp/mozjpeg) scales the example tables of
 * ITU-T T.81 Annex K by S = 5000/Q for Q < 50 and 200 - 2Q above, entry = floor((base * S + 50) / 100)
 * clamped to 1..255. The estimate is the Q whose scaled tables are closest to the file's. Cameras and
 * other encoders use their own tables; for them the estimate is the nearest IJG equivalent, and `fit`
 * (mean absolute difference per entry) says how close it is.
 */

/** Annex K, Table K.1 (luminance) and K.2 (chrominance), in natural (row-major) order. */
const BASE_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const BASE_CHROMA = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];
/** Natural index of the k-th coefficient in zigzag order (T.81 Figure A.6): DQT stores tables zigzagged. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22,
  15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/** Quantisation tables by destination id (0 luma, 1 chroma in IJG files), natural order. */
export type QuantTables = Map<number, number[]>;

/** Reads every DQT up to the first scan. Null when the bytes are not a JPEG or carry no table. */
export function readQuantTables(bytes: Uint8Array): QuantTables | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const tables: QuantTables = new Map();
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return tables.size ? tables : null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Start of scan or end of image: every table used by the first frame has been defined.
    if (marker === 0xda || marker === 0xd9) break;
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (len < 2) break;
    if (marker === 0xdb) {
      let j = i + 4;
      const end = Math.min(bytes.length, i + 2 + len);
      while (j < end) {
        const precision = bytes[j] >> 4;
        const id = bytes[j] & 0x0f;
        const size = precision ? 128 : 64;
        if (j + 1 + size > end) break;
        const table = new Array<number>(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]] = precision ? (bytes[j + 1 + 2 * k] << 8) | bytes[j + 2 + 2 * k] : bytes[j + 1 + k];
        tables.set(id, table);
        j += 1 + size;
      }
    }
    i += 2 + len;
  }
  return tables.size ? tables : null;
}

const scaled = (base: number[], q: number): number[] => {
  // libjpeg scales with integer arithmetic (jcparam.c jpeg_quality_scaling).
  const s = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * s + 50) / 100))));
};

export interface JpegQuality {
  /** 1..100 on the IJG scale. */
  quality: number;
  /** Mean absolute difference per table entry between the file's tables and IJG's at that quality (0 = IJG). */
  fit: number;
}

export function estimateJpegQuality(tables: QuantTables): JpegQuality | null {
  const luma = tables.get(0) ?? tables.values().next().value;
  if (!luma) return null;
  const chroma = tables.get(1);
  let best: JpegQuality | null = null;
  for (let q = 1; q <= 100; q++) {
    let err = 0;
    const l = scaled(BASE_LUMA, q);
    for (let k = 0; k < 64; k++) err += Math.abs(l[k] - luma[k]);
    let entries = 64;
    if (chroma) {
      const c = scaled(BASE_CHROMA, q);
      for (let k = 0; k < 64; k++) err += Math.abs(c[k] - chroma[k]);
      entries += 64;
    }
    const fit = err / entries;
    // Ties go to the higher quality (at the top of the scale several Q clamp to the same tables).
    if (!best || fit <= best.fit) best = { quality: q, fit };
  }
  return best;
}
