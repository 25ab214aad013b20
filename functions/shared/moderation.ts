/**
 * Rekognition's moderation taxonomy (v7), which every safety engine reports in, and the one place that
 * turns DetectModerationLabels output into our ModerationLabel shape (used by the Rekognition engine
 * in a Lambda and by AggregateVerdict when the state machine called Rekognition directly).
 */
import type { ModerationLabel, RekognitionModerationLabel } from './contracts.js';

export const TOP_LEVEL_CATEGORIES = [
  'Explicit',
  'Non-Explicit Nudity of Intimate parts and Kissing',
  'Swimwear or Underwear',
  'Violence',
  'Visually Disturbing',
  'Drugs & Tobacco',
  'Alcohol',
  'Rude Gestures',
  'Gambling',
  'Hate Symbols',
] as const;
export type ModerationCategory = (typeof TOP_LEVEL_CATEGORIES)[number];

export function isTopLevelCategory(name: string): name is ModerationCategory {
  return (TOP_LEVEL_CATEGORIES as readonly string[]).includes(name);
}

/** The top-level category a label belongs to (itself when it is top level). */
export function topLevelOf(label: ModerationLabel): string {
  return label.parentName ? label.parentName : label.name;
}

/** Normalises raw Rekognition labels; drops entries without a name or confidence rather than inventing them. */
export function normalizeRekognitionLabels(raw: readonly RekognitionModerationLabel[] | undefined): ModerationLabel[] {
  const out: ModerationLabel[] = [];
  for (const l of raw ?? []) {
    if (!l.Name || typeof l.Confidence !== 'number' || !Number.isFinite(l.Confidence)) continue;
    out.push({ name: l.Name, parentName: l.ParentName ?? '', confidence: Math.max(0, Math.min(100, l.Confidence)) });
  }
  return out;
}
