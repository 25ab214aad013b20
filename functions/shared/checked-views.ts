/**
 * Pure helpers for an image checked as several views (frames, pages, alpha on two pages,
 * contracts: CheckedView): the views of an analysis input, the name a reason gives a view, and the
 * labels of all views together. The console page bundles this file (its filmstrip names views as the
 * reasons do), so its imports stay type-only.
 */
import type { CheckedView, ClassLabel, ModerationLabel, StagedImage } from './contracts/index.js';

/** What the analysis steps look at: the image's checks, or the image itself for a payload without them. */
export const checksOf = (image: StagedImage): Array<Pick<CheckedView, 'uri' | 'bucket' | 'key' | 'sha256'>> => (image.checks?.length ? image.checks : [image]);

export function describeView(check: Pick<CheckedView, 'frame' | 'background'>, image: Pick<StagedImage, 'frames' | 'format'> | undefined): string {
  const parts: string[] = [];
  if (check.frame !== undefined) parts.push(`${image?.format === 'tiff' ? 'page' : 'frame'} ${check.frame} of ${image?.frames ?? check.frame}`);
  if (check.background) parts.push(`on a ${check.background} page`);
  return parts.join(' ') || 'the image';
}

/** Each class at its best view's score, top 5: tags and alt text describe what any frame showed. */
export function mergeClassLabels(lists: ReadonlyArray<readonly ClassLabel[]>): ClassLabel[] {
  const best = new Map<string, ClassLabel>();
  for (const l of lists.flat()) if ((best.get(l.wnid)?.score ?? -1) < l.score) best.set(l.wnid, l);
  return [...best.values()].sort((a, b) => b.score - a.score).slice(0, 5);
}

/** Each moderation label at its strongest view's confidence. */
export function mergeModerationLabels(lists: ReadonlyArray<readonly ModerationLabel[]>): ModerationLabel[] {
  const best = new Map<string, ModerationLabel>();
  for (const l of lists.flat()) {
    const key = `${l.parentName}/${l.name}`;
    if ((best.get(key)?.confidence ?? -1) < l.confidence) best.set(key, l);
  }
  return [...best.values()];
}
