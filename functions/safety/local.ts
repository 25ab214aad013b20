/**
 * The local engine: nsfwjs models mapped to Rekognition's taxonomy. It sees nudity only; weapons,
 * alcohol, drugs and gambling come from the classifier's ImageNet classes in AggregateVerdict.
 *
 * Two models must agree. The fast MobileNetV2 looks at every photo; only when it reports something
 * (a label at or above the minimum confidence, about 5 % of ordinary photos) does InceptionV3 give a
 * second opinion, and each label's confidence becomes the lower of the two (MobileNetV2's own averaged
 * with its mirror image first, which damps its noisiest calls). On the 446 labelled benign photos one
 * model alone flags 20 (MobileNetV2) or 6 (InceptionV3); agreement flags 4 and rejects none, while the
 * brassiere photo keeps Swimwear 87 %. InceptionV3 is skipped where MobileNetV2 alone reports nothing:
 * there the agreed label could only differ if MobileNetV2's mirror image scored far higher than the photo.
 */
import { createHash } from 'node:crypto';
import type { ModelRef, ModerationLabel, StagedImage } from '../shared/contracts/index.js';
import type { Raster } from '../shared/raster.js';
import type { SafetyEngine } from './engine.js';
import { mirrored, nsfwPixels, type NsfwModel, type NsfwScores } from './nsfw-model.js';

/** Rekognition-style labels (confidence 0..100) at or above `minConfidence`; top level first, as Rekognition lists them. */
export function nsfwToLabels(s: NsfwScores, minConfidence: number): ModerationLabel[] {
  const pct = (p: number) => Number((p * 100).toFixed(2));
  const candidates: ModerationLabel[] = [
    { name: 'Explicit', parentName: '', confidence: pct(s.Porn + s.Hentai) },
    { name: 'Explicit Nudity', parentName: 'Explicit', confidence: pct(s.Porn) },
    // nsfwjs's "Hentai" is drawn explicit content; Rekognition v7 names that level-3 label this way.
    { name: 'Illustrated Explicit Nudity', parentName: 'Explicit Nudity', confidence: pct(s.Hentai) },
    // "Sexy" fires on swimwear and underwear without telling female from male: the top-level label only.
    { name: 'Swimwear or Underwear', parentName: '', confidence: pct(s.Sexy) },
  ];
  return candidates.filter((l) => l.confidence >= minConfidence);
}

/** Each label at the lower of the two models' confidences: both must say it. */
export function agreedLabels(first: NsfwScores, second: NsfwScores, minConfidence: number): ModerationLabel[] {
  const other = new Map(nsfwToLabels(second, 0).map((l) => [l.name, l.confidence]));
  return nsfwToLabels(first, 0)
    .map((l) => ({ ...l, confidence: Math.min(l.confidence, other.get(l.name) ?? 0) }))
    .filter((l) => l.confidence >= minConfidence);
}

const average = (a: NsfwScores, b: NsfwScores): NsfwScores =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, (v + b[k as keyof NsfwScores]) / 2])) as NsfwScores;

/** The engine's identity for verdicts and dedupe: both files' pins, so changing either changes it. */
export function engineModelRef(primary: ModelRef, confirm?: ModelRef): ModelRef {
  if (!confirm) return primary;
  return { name: `${primary.name}+${confirm.name}`, sha256: createHash('sha256').update(`${primary.sha256}\n${confirm.sha256}\n`).digest('hex') };
}

export class LocalSafetyEngine implements SafetyEngine {
  readonly name = 'local' as const;
  constructor(
    private readonly models: { primary: NsfwModel; confirm?: NsfwModel },
    readonly model: ModelRef,
    private readonly minConfidence: number,
    private readonly limits?: { maxPixels: number },
  ) {}

  async detect(_image: StagedImage, bytes: () => Promise<Buffer>, raster?: Raster): Promise<ModerationLabel[]> {
    const data = raster ?? (await bytes());
    const { primary, confirm } = this.models;
    const pixels = await nsfwPixels(data, this.limits, primary.size);
    const first = await primary.scoresFor(pixels);
    const labels = nsfwToLabels(first, this.minConfidence);
    if (!confirm || labels.length === 0) return labels;
    const [flipped, second] = await Promise.all([primary.scoresFor(mirrored(pixels, primary.size)), confirm.scores(data, this.limits)]);
    return agreedLabels(average(first, flipped), second, this.minConfidence);
  }
}
