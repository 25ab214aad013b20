/**
 * Every quality measure of one image, from the shared pixel view (plus, for a JPEG, the quantisation
 * tables in its header). Pure and synchronous: FetchImage calls it once on the view it already has.
 * Measures are facts on documented scales; whether a value is a problem is the policy's call
 * (./judge.ts with the policy's quality bands).
 */
import { blockinessOf } from './blockiness.js';
import { gradientsOf } from './gradients.js';
import { estimateJpegQuality, type QuantTables } from './jpeg-quality.js';
import { noiseOf } from './noise.js';
import type { QualityMeasures } from '../contracts/index.js';
import type { PixelView } from '../pixels/view.js';
import { planesOf } from './pixel-view.js';
import { sharpnessOf } from './sharpness.js';
import { measureTone } from './tone.js';
import { MIN_MEASURABLE_SIDE, UNIFORM_CONTRAST } from './limits.js';

export interface OriginalImage {
  width: number;
  height: number;
  format: string;
}

const round = (v: number | null, digits = 4): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

export function measureQuality(view: PixelView, original: OriginalImage, tables?: QuantTables | null): QualityMeasures {
  const jpeg = original.format === 'jpeg' && tables ? estimateJpegQuality(tables) : null;
  const base = {
    width: original.width,
    height: original.height,
    longSide: Math.max(original.width, original.height),
    megapixels: round((original.width * original.height) / 1e6)!,
    jpegQuality: jpeg?.quality ?? null,
    jpegTableFit: round(jpeg?.fit ?? null, 2),
  };
  const empty = {
    sharpness: null,
    brightness: null,
    shadows: null,
    highlights: null,
    clippedShadows: null,
    clippedHighlights: null,
    contrast: null,
    tonalRange: null,
    noise: null,
    noiseScaleRatio: null,
    chromaNoise: null,
    impulseNoise: null,
    blockiness: null,
    reducedBlockiness: null,
  };
  if (Math.min(original.width, original.height) < MIN_MEASURABLE_SIDE || Math.min(view.width, view.height) < MIN_MEASURABLE_SIDE) {
    return { ...base, measurable: false, uniform: false, ...empty };
  }
  const planes = planesOf(view);
  const tone = measureTone(planes);
  if (tone.contrast < UNIFORM_CONTRAST) {
    return { ...base, measurable: true, uniform: true, ...empty, brightness: round(tone.brightness), contrast: round(tone.contrast) };
  }
  const g = gradientsOf(planes);
  const noise = noiseOf(planes, g);
  const native = planes.reduced === 1 && view.width === original.width && view.height === original.height;
  const grid = blockinessOf(g, planes.width / original.width, planes.height / original.height);
  return {
    ...base,
    measurable: true,
    uniform: false,
    sharpness: round(sharpnessOf(g)),
    brightness: round(tone.brightness),
    shadows: round(tone.shadows),
    highlights: round(tone.highlights),
    clippedShadows: round(tone.clippedShadows),
    clippedHighlights: round(tone.clippedHighlights),
    contrast: round(tone.contrast),
    tonalRange: round(tone.tonalRange),
    noise: round(noise.noise, 2),
    noiseScaleRatio: round(noise.noiseScaleRatio, 3),
    chromaNoise: round(noise.chromaNoise, 2),
    impulseNoise: round(noise.impulseNoise, 5),
    blockiness: native ? round(grid, 3) : null,
    reducedBlockiness: native ? null : round(grid, 3),
  };
}
