/**
 * SEO tags from the top-5 labels: the classes' own names first, then their WordNet synonyms, then
 * hypernyms nearest first (tabby, tabby-cat, domestic-cat, cat, feline, ...), lower-case slugs, deduped,
 * at most 10. Classes the model is unsure of do not add tags.
 */
import type { ClassLabel } from '../shared/contracts/index.js';
import { taxonomyOf } from './taxonomy.js';

export const MAX_TAGS = 10;
/** Below this probability a class (other than the top one) is a guess, not a tag. */
export const TAG_MIN_SCORE = 0.1;

export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function seoTags(labels: readonly ClassLabel[], max = MAX_TAGS): string[] {
  const used = labels.filter((l, i) => i === 0 || l.score >= TAG_MIN_SCORE);
  // Rounds: 0 = the class name, 1 = its synonyms, 2.. = hypernym i-2. Each round goes across the classes.
  const rounds: string[][] = [];
  for (const l of used) {
    const t = taxonomyOf(l.wnid);
    const names = [l.label, ...(t?.lemmas ?? [])];
    const push = (round: number, values: string[]) => {
      (rounds[round] ??= []).push(...values);
    };
    push(0, [names[0]]);
    push(1, names.slice(1));
    (t?.hypernyms ?? []).forEach((h, i) => push(2 + i, [h]));
  }
  const out: string[] = [];
  for (const round of rounds) {
    for (const name of round ?? []) {
      const s = slug(name);
      if (s && !out.includes(s)) out.push(s);
      if (out.length >= max) return out;
    }
  }
  return out;
}
