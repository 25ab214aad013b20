/**
 * ImageNet classes that are moderation evidence in their own right, mapped to Rekognition's taxonomy.
 * ClassifyImage and CheckSafety run in parallel and cannot see each other, so this mapping is applied
 * where both results meet, whichever safety engine ran (docs/decisions.md). The nudity model sees nudity only;
 * weapons, alcohol, drugs and gambling come from here.
 */
import type { ClassLabel, ModerationLabel } from '../shared/contracts/index.js';
import type { ModerationCategory } from './moderation-taxonomy.js';

export interface ImagenetMapping {
  /** The class's first ImageNet name, checked against the synset list in a test. */
  imagenet: string;
  category: ModerationCategory;
  /** Rekognition's level-2 label name where one fits. */
  label: string;
}

export const IMAGENET_MODERATION: Readonly<Record<string, ImagenetMapping>> = {
  n02749479: { imagenet: 'assault rifle', category: 'Violence', label: 'Weapons' },
  n04086273: { imagenet: 'revolver', category: 'Violence', label: 'Weapons' },
  n04090263: { imagenet: 'rifle', category: 'Violence', label: 'Weapons' },
  n02950826: { imagenet: 'cannon', category: 'Violence', label: 'Weapons' },
  n03773504: { imagenet: 'missile', category: 'Violence', label: 'Weapons' },
  n04008634: { imagenet: 'projectile', category: 'Violence', label: 'Weapons' },
  n03527444: { imagenet: 'holster', category: 'Violence', label: 'Weapons' },
  n04389033: { imagenet: 'tank', category: 'Violence', label: 'Weapons' },
  n03467068: { imagenet: 'guillotine', category: 'Visually Disturbing', label: 'Death and Emaciation' },
  n02823428: { imagenet: 'beer bottle', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n04591713: { imagenet: 'wine bottle', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n07892512: { imagenet: 'red wine', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n02823750: { imagenet: 'beer glass', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n04579145: { imagenet: 'whiskey jug', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n03062245: { imagenet: 'cocktail shaker', category: 'Alcohol', label: 'Alcoholic Beverages' },
  n03937543: { imagenet: 'pill bottle', category: 'Drugs & Tobacco', label: 'Pills' },
  n04376876: { imagenet: 'syringe', category: 'Drugs & Tobacco', label: 'Drugs & Tobacco Paraphernalia & Use' },
  n04443257: { imagenet: 'tobacco shop', category: 'Drugs & Tobacco', label: 'Products' },
  n04243546: { imagenet: 'slot', category: 'Gambling', label: 'Gambling' },
  n02837789: { imagenet: 'bikini', category: 'Swimwear or Underwear', label: 'Female Swimwear or Underwear' },
  n03710637: { imagenet: 'maillot', category: 'Swimwear or Underwear', label: 'Female Swimwear or Underwear' },
  n03710721: { imagenet: 'maillot', category: 'Swimwear or Underwear', label: 'Female Swimwear or Underwear' },
  n02892767: { imagenet: 'brassiere', category: 'Swimwear or Underwear', label: 'Female Swimwear or Underwear' },
  n04371430: { imagenet: 'swimming trunks', category: 'Swimwear or Underwear', label: 'Male Swimwear or Underwear' },
};

/** Classifier evidence for one category: the summed probability of its classes among the top 5. */
export interface ClassifierEvidence {
  category: ModerationCategory;
  /** 0..100, like Rekognition's confidence. */
  confidence: number;
  /** The ImageNet classes that contributed, best first. */
  classes: ClassLabel[];
  label: string;
}

/**
 * Sums per category because related classes split the probability (beer bottle 0.3 + beer glass 0.2
 * is 0.5 evidence of alcohol).
 */
export function classifierEvidence(labels: readonly ClassLabel[]): ClassifierEvidence[] {
  const by = new Map<ModerationCategory, ClassifierEvidence>();
  for (const l of labels) {
    const m = IMAGENET_MODERATION[l.wnid];
    if (!m) continue;
    const e = by.get(m.category) ?? { category: m.category, confidence: 0, classes: [], label: m.label };
    e.confidence += l.score * 100;
    e.classes.push(l);
    by.set(m.category, e);
  }
  return [...by.values()].map((e) => ({ ...e, confidence: Math.min(100, Number(e.confidence.toFixed(2))) }));
}

/** The same evidence as moderation labels, so the verdict lists it beside the safety engine's. */
export function imagenetModerationLabels(labels: readonly ClassLabel[]): ModerationLabel[] {
  return classifierEvidence(labels).map((e) => ({ name: e.label, parentName: e.category, confidence: e.confidence }));
}
