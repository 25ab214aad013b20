/** One honest sentence for the alt attribute: sure where the model is sure, hedged where it is not. */
import type { ClassLabel } from '../shared/contracts/index.js';

// "a unicycle", "a one-armed bandit", "an umbrella": spelling is only a hint to the sound.
const article = (noun: string) => (/^(uni|use|usu|eu|one|ewe)/i.test(noun) ? 'a' : /^[aeiou]/i.test(noun) ? 'an' : 'a');
const withArticle = (noun: string) => `${article(noun)} ${noun}`;

export const NEUTRAL_ALT_TEXT = 'An image awaiting review.';
/** A rejected image is never published; its alt text must not promise a review. */
export const REJECTED_ALT_TEXT = 'An image rejected by moderation.';

export function altText(labels: readonly ClassLabel[]): string {
  const [top, second] = labels;
  if (!top) return NEUTRAL_ALT_TEXT;
  if (top.score >= 0.6) return `A photo of ${withArticle(top.label)}.`;
  if (top.score >= 0.3) {
    return second && second.score >= 0.1
      ? `A photo of what looks like ${withArticle(top.label)}, possibly ${withArticle(second.label)}.`
      : `A photo of what looks like ${withArticle(top.label)}.`;
  }
  return `A photo that may show ${withArticle(top.label)}.`;
}
