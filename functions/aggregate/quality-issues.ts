/**
 * From quality measures (facts, functions/shared/quality/) to the verdict's quality block: the issues
 * that pass the policy's bands, each said in words with its value and threshold, and a 0-100 score.
 *
 * Score: each banded measure maps to 100 at a "good" level, 50 at its review band and 0 as far past the
 * band again, linearly; the score is the lowest of them (the worst problem decides, so a score under 50
 * always comes with an issue under the default bands). Below the minimum size the resolution part is
 * 50 x (long side / minimum). A blank or unmeasurable image scores 0.
 */
import type { Decision, QualityAssessment, QualityIssue, QualityKind, QualityMeasures, Reason } from '../shared/contracts/index.js';
import { MIN_MEASURABLE_SIDE, UNIFORM_CONTRAST } from '../shared/quality/limits.js';
import { ABOVE_MEASURES, BELOW_MEASURES, type BandedMeasure, type QualityPolicy } from './quality-policy.js';

/**
 * Luma noise counts only where it is white: its half-resolution ratio (noiseScaleRatio) below this.
 * On the labelled photos grass, sand and feathers filling the frame read 10-16 levels of "noise" at
 * ratios 0.74-0.85, while added noise reads 0.45-0.71 even over such texture.
 */
export const WHITE_NOISE_RATIO = 0.72;

/** Where each measure is comfortably fine (100 on the score). */
const GOOD: Record<BandedMeasure, number> = {
  sharpness: 0.8,
  highlights: 0.75,
  brightness: 0.25,
  contrast: 0.15,
  tonalRange: 0.6,
  jpegQuality: 75,
  shadows: 0.15,
  clippedHighlights: 0.05,
  noise: 2,
  chromaNoise: 1.5,
  impulseNoise: 0.0005,
  blockiness: 1.1,
  reducedBlockiness: 1.05,
};

const KIND: Record<BandedMeasure, QualityKind> = {
  sharpness: 'blur',
  highlights: 'exposure',
  brightness: 'exposure',
  shadows: 'exposure',
  clippedHighlights: 'exposure',
  contrast: 'contrast',
  tonalRange: 'contrast',
  noise: 'noise',
  chromaNoise: 'noise',
  impulseNoise: 'noise',
  jpegQuality: 'compression',
  blockiness: 'compression',
  reducedBlockiness: 'compression',
};

const f2 = (v: number) => v.toFixed(2);
const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
const MESSAGE: Record<BandedMeasure, (v: number, t: number) => string> = {
  sharpness: (v, t) => `Out of focus: sharpness ${f2(v)}, review below ${f2(t)}.`,
  highlights: (v, t) => `Underexposed: the brightest tones reach ${f2(v)} of white, review below ${f2(t)}.`,
  brightness: (v, t) => `Underexposed: mean brightness ${f2(v)}, review below ${f2(t)}.`,
  shadows: (v, t) => `Overexposed: the darkest tones are at ${f2(v)} of white, review above ${f2(t)}.`,
  clippedHighlights: (v, t) => `Blown highlights: ${pct(v)} of the pixels are clipped to white, review above ${pct(t)}.`,
  contrast: (v, t) => `Flat or washed out: RMS contrast ${f2(v)}, review below ${f2(t)}.`,
  noise: (v, t) => `Noisy: noise ${v.toFixed(1)} levels in flat areas, review above ${t}.`,
  tonalRange: (v, t) => `Flat or washed out: the tones span ${f2(v)} of the range, review below ${f2(t)}.`,
  impulseNoise: (v, t) =>
    `Speckled: ${(100 * v).toFixed(1)} % of the pixels are isolated specks (salt-and-pepper noise), review above ${(100 * t).toFixed(1)} %.`,
  chromaNoise: (v, t) => `Colour noise: ${v.toFixed(1)} levels in the colour channels, review above ${t}.`,
  jpegQuality: (v, t) => `Heavily compressed: saved at JPEG quality ${v}, review below ${t}.`,
  blockiness: (v, t) => `Blocky: JPEG's 8x8 grid shows (${f2(v)}x the detail inside blocks), review above ${f2(t)}.`,
  reducedBlockiness: (v, t) =>
    `Blocky: JPEG's 8x8 grid shows even at display size (${f2(v)}x the detail inside blocks on the reduced view), review above ${f2(t)}.`,
};

const clamp = (v: number) => Math.max(0, Math.min(100, v));

function subscore(m: BandedMeasure, v: number, band: number): number {
  const good = GOOD[m];
  const below = (BELOW_MEASURES as readonly string[]).includes(m);
  // Distance from the band towards "good" (positive: fine side), in units of band-to-good.
  const span = below ? good - band : band - good;
  if (span <= 0) return (below ? v >= band : v <= band) ? 100 : 0;
  const d = (below ? v - band : band - v) / span;
  return clamp(50 + 50 * d);
}

export function judgeQuality(measures: QualityMeasures, policy: QualityPolicy): QualityAssessment {
  const issues: QualityIssue[] = [];
  const { width, height, longSide } = measures;
  const pixels = width * height;
  let score = 100;
  const size = `${width}x${height}`;
  if (longSide < policy.minLongSide) {
    issues.push({
      kind: 'resolution',
      measure: 'longSide',
      value: longSide,
      threshold: policy.minLongSide,
      message: `Too small for the blog: ${size}, review below ${policy.minLongSide} px on the long side.`,
    });
  }
  if (width < policy.minWidth) {
    issues.push({
      kind: 'resolution',
      measure: 'width',
      value: width,
      threshold: policy.minWidth,
      message: `Too narrow for the blog: ${size}, review below ${policy.minWidth} px wide.`,
    });
  }
  if (pixels < policy.minPixels) {
    issues.push({
      kind: 'resolution',
      measure: 'pixels',
      value: pixels,
      threshold: policy.minPixels,
      message: `Too few pixels for the blog: ${size} (${pixels.toLocaleString('en-US')}), review below ${policy.minPixels.toLocaleString('en-US')}.`,
    });
  }
  if (policy.minLongSide > 0) score = Math.min(score, longSide >= policy.minLongSide ? 100 : clamp((50 * longSide) / policy.minLongSide));
  if (!measures.measurable) {
    const side = Math.min(width, height);
    issues.push({
      kind: 'too-small',
      measure: 'shortSide',
      value: side,
      threshold: MIN_MEASURABLE_SIDE,
      message: `Too small to measure: ${size}; quality needs at least ${MIN_MEASURABLE_SIDE} px a side.`,
    });
    return { score: 0, measures, issues };
  }
  if (measures.uniform) {
    const c = measures.contrast ?? 0;
    issues.push({
      kind: 'uniform',
      measure: 'uniform',
      value: c,
      threshold: UNIFORM_CONTRAST,
      message: `Blank: the image is a single colour (RMS contrast ${c.toFixed(3)}).`,
    });
    return { score: 0, measures, issues };
  }
  for (const m of [...BELOW_MEASURES, ...ABOVE_MEASURES]) {
    const v = measures[m];
    if (v === null) continue;
    // Texture is not noise (see WHITE_NOISE_RATIO): such luma noise neither scores nor holds.
    if (m === 'noise' && (measures.noiseScaleRatio ?? 1) >= WHITE_NOISE_RATIO) continue;
    const band = policy.review[m];
    score = Math.min(score, subscore(m, v, band));
    const below = (BELOW_MEASURES as readonly string[]).includes(m);
    if (below ? v < band : v > band) issues.push({ kind: KIND[m], measure: m, value: v, threshold: band, message: MESSAGE[m](v, band) });
  }
  return { score: Math.round(score), measures, issues };
}

/**
 * The verdict reasons of a quality assessment: one per issue, held for review (or rejected when the
 * policy lets that kind reject), with source "quality" so a publisher can tell unfit from unsafe.
 */
export function qualityReasons(a: QualityAssessment, policy: QualityPolicy): Array<Reason & { decision: Decision }> {
  return a.issues.map((i) => {
    const decision: Decision = policy.reject.includes(i.kind) ? 'reject' : 'review';
    return { decision, code: `quality-${decision}`, source: 'quality' as const, kind: i.kind, message: i.message };
  });
}
