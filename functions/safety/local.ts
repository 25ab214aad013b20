/**
 * The local engine: the nsfwjs model's classes mapped to Rekognition's taxonomy. It sees nudity only;
 * weapons, alcohol, drugs and gambling come from the classifier's ImageNet classes in AggregateVerdict.
 */
import type { ModerationLabel, StagedImage } from '../shared/contracts.js';
import type { Raster } from '../shared/raster.js';
import type { SafetyEngine } from './engine.js';
import type { NsfwModel, NsfwScores } from './nsfw-model.js';

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

export class LocalSafetyEngine implements SafetyEngine {
  readonly name = 'local' as const;
  constructor(
    private readonly nsfw: NsfwModel,
    readonly model: { name: string; sha256: string },
    private readonly minConfidence: number,
    private readonly limits?: { maxPixels: number },
  ) {}

  async detect(_image: StagedImage, bytes: () => Promise<Buffer>, raster?: Raster): Promise<ModerationLabel[]> {
    return nsfwToLabels(await this.nsfw.scores(raster ?? (await bytes()), this.limits), this.minConfidence);
  }
}
