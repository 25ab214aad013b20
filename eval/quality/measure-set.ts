/**
 * The calibration set: every labelled photo, pristine and through each distortion of its split, measured
 * exactly as FetchImage measures an upload (decode to the quality view, measureQuality). Photos are split
 * by the sha256 of their bytes (even first digit: DEV), never by name.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { DEFAULT_LIMITS } from '../../functions/shared/limits.js';
import { decodeView } from '../../functions/shared/pixels/view.js';
import { readQuantTables } from '../../functions/shared/quality/jpeg-quality.js';
import type { QualityMeasures } from '../../functions/shared/contracts/index.js';
import { measureQuality } from '../../functions/shared/quality/measure.js';
import type { LabelledImage } from '../labels.js';
import { DEV, HELD_OUT, type Distortion, type DistortionKind, type Rgb } from './distortions.js';

/** Distortions are applied at most at this long side (the quality view is 512 anyway). */
const DEGRADE_LONG_SIDE = 1024;

export type Split = 'dev' | 'held-out';

export interface MeasuredCase {
  file: string;
  split: Split;
  /** Null: the pristine photo. */
  distortion: string | null;
  kind: DistortionKind | null;
  severe: boolean;
  measures: QualityMeasures;
}

export async function measureBytes(bytes: Buffer): Promise<QualityMeasures> {
  const meta = await sharp(bytes).metadata();
  const swapped = (meta.orientation ?? 1) >= 5;
  const original = { width: swapped ? meta.height : meta.width, height: swapped ? meta.width : meta.height, format: meta.format ?? 'unknown' };
  return measureQuality(await decodeView(bytes, DEFAULT_LIMITS), original, readQuantTables(bytes));
}

export const splitOf = (bytes: Buffer): Split => (parseInt(createHash('sha256').update(bytes).digest('hex')[0], 16) % 2 === 0 ? 'dev' : 'held-out');

async function fullSize(bytes: Buffer): Promise<Rgb> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(DEGRADE_LONG_SIDE, DEGRADE_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export async function measurePhoto(photo: LabelledImage): Promise<MeasuredCase[]> {
  const bytes = await fs.readFile(photo.path);
  const split = splitOf(bytes);
  const seed = parseInt(createHash('sha256').update(bytes).digest('hex').slice(0, 8), 16);
  const out: MeasuredCase[] = [{ file: photo.file, split, distortion: null, kind: null, severe: false, measures: await measureBytes(bytes) }];
  const rgb = await fullSize(bytes);
  const set: Distortion[] = split === 'dev' ? DEV : HELD_OUT;
  for (const d of set) {
    const degraded = await d.apply(rgb, seed);
    out.push({ file: photo.file, split, distortion: d.name, kind: d.kind, severe: d.severe, measures: await measureBytes(degraded) });
  }
  return out;
}
