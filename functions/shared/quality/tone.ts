/**
 * Exposure and contrast from the luma histogram of the working view (0..1 scales, 1 = white):
 * - brightness: mean luma;
 * - shadows / highlights: the 1st and 99th percentiles of luma (an underexposed frame has nothing
 *   bright, an overexposed one nothing dark);
 * - clippedShadows / clippedHighlights: the share of pixels at the ends of the range (luma at most 3,
 *   or any channel at least 252), where detail is gone for good (histogram clipping);
 * - contrast: RMS contrast, the standard deviation of luma (Peli, "Contrast in complex images",
 *   JOSA A 7(10), 1990), and tonalRange = highlights - shadows.
 */
import type { Planes } from './pixel-view.js';

export interface ToneMeasures {
  brightness: number;
  shadows: number;
  highlights: number;
  clippedShadows: number;
  clippedHighlights: number;
  contrast: number;
  tonalRange: number;
}

export function measureTone({ y, rgb }: Planes): ToneMeasures {
  const n = y.length;
  const hist = new Float64Array(256);
  for (let i = 0; i < n; i++) hist[y[i]]++;
  let highClip = 0;
  for (let j = 0; j < rgb.length; j += 3) if (rgb[j] >= 252 || rgb[j + 1] >= 252 || rgb[j + 2] >= 252) highClip++;
  let sum = 0;
  let sq = 0;
  for (let k = 0; k < 256; k++) {
    sum += k * hist[k];
    sq += k * k * hist[k];
  }
  const percentile = (q: number): number => {
    const target = q * n;
    let acc = 0;
    for (let k = 0; k < 256; k++) {
      acc += hist[k];
      if (acc >= target) return k / 255;
    }
    return 1;
  };
  const lowClip = hist[0] + hist[1] + hist[2] + hist[3];
  const mean = sum / n;
  const shadows = percentile(0.01);
  const highlights = percentile(0.99);
  return {
    brightness: mean / 255,
    shadows,
    highlights,
    clippedShadows: lowClip / n,
    clippedHighlights: highClip / n,
    contrast: Math.sqrt(Math.max(0, sq / n - mean * mean)) / 255,
    tonalRange: highlights - shadows,
  };
}
