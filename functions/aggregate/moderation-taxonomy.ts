/**
 * Rekognition's moderation taxonomy (v7), the names every safety engine reports in (the local nudity
 * model too: functions/safety/local.ts), and what AggregateVerdict does with it: the top-level
 * categories the policy is written in (policy.ts, categories.ts), any label lifted to its top-level
 * category (decide.ts), and the raw DetectModerationLabels answer of the state machine's direct
 * Rekognition integration turned into our ModerationLabel shape (views.ts).
 */
import type { ModerationLabel, RekognitionModerationLabel } from '../shared/contracts/index.js';

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

/**
 * Rekognition v7's level-2 labels under each top-level category. Level-3 labels name a level-2 label
 * as their parent, so this is what lifts any label to its top-level category.
 */
const LEVEL2_PARENT: Readonly<Record<string, ModerationCategory>> = {
  'Explicit Nudity': 'Explicit',
  'Explicit Sexual Activity': 'Explicit',
  'Sex Toys': 'Explicit',
  'Non-Explicit Nudity': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Obstructed Intimate Parts': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Kissing on the Lips': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Female Swimwear or Underwear': 'Swimwear or Underwear',
  'Male Swimwear or Underwear': 'Swimwear or Underwear',
  Weapons: 'Violence',
  'Graphic Violence': 'Violence',
  'Death and Emaciation': 'Visually Disturbing',
  Crashes: 'Visually Disturbing',
  Products: 'Drugs & Tobacco',
  'Drugs & Tobacco Paraphernalia & Use': 'Drugs & Tobacco',
  'Alcohol Use': 'Alcohol',
  'Alcoholic Beverages': 'Alcohol',
  'Middle Finger': 'Rude Gestures',
  'Nazi Party': 'Hate Symbols',
  'White Supremacy': 'Hate Symbols',
  Extremist: 'Hate Symbols',
};

/** The top-level category of a label at any taxonomy level; undefined for a name outside the taxonomy. */
export function categoryOf(label: ModerationLabel): ModerationCategory | undefined {
  for (const name of [label.name, label.parentName]) {
    if (!name) continue;
    if (isTopLevelCategory(name)) return name;
    const parent = LEVEL2_PARENT[name];
    if (parent) return parent;
  }
  return undefined;
}
