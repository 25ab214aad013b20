/** Scores → the top-k classes. Pure, so it is tested without a model. */
import type { ClassLabel } from '../shared/contracts/index.js';
import type { ClassName } from '../shared/models/labels.js';

/** Numerically stable softmax (subtracting the max keeps exp() finite for large logits). */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i]!;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * The k best labelled classes, best first. Output indices without a label (a "background" class) are
 * skipped, so the result is always k ImageNet classes.
 */
export function topK(probs: ArrayLike<number>, labels: ReadonlyArray<ClassName | null>, k = 5): ClassLabel[] {
  const best: Array<{ i: number; p: number }> = [];
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!labels[i]) continue;
    if (best.length < k) {
      best.push({ i, p });
      best.sort((a, b) => b.p - a.p);
    } else if (p > best[k - 1].p) {
      best[k - 1] = { i, p };
      best.sort((a, b) => b.p - a.p);
    }
  }
  return best.map(({ i, p }) => ({ label: labels[i]!.label, wnid: labels[i]!.wnid, score: Number(p.toFixed(6)) }));
}
