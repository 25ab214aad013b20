/**
 * Ranking candidate images for one post, from their verdicts alone (no model runs): approved before
 * held for review, held before rejected; then by relevance to the post; then by the verdict's quality
 * score where it has one; then in the order given. Each ranked image says why it ranks where it does.
 */
import type { Decision, PostInput, Relevance } from '../contracts/index.js';
import type { RelevanceIndex } from './index-data.js';
import { preparePost, scoreRelevance, type LabelInput } from './score.js';

/** What ranking reads from a verdict: its decision, its labels and (when quality is measured) its score. */
export interface RankableVerdict {
  decision: Decision;
  labels: LabelInput[];
  quality?: { score?: number };
}

export interface RankedImage<V extends RankableVerdict> {
  /** The caller's name for the candidate (a path, a URL, a sha256). */
  id: string;
  /** 1 = best. */
  rank: number;
  verdict: V;
  relevance: Relevance;
  /** Why it ranks here, in words. */
  why: string;
}

const DECISION_ORDER: Record<Decision, number> = { approve: 0, review: 1, reject: 2 };
const DECISION_WORDS: Record<Decision, string> = { approve: 'approved', review: 'held for review', reject: 'rejected' };

export function rankCandidates<V extends RankableVerdict>(
  post: PostInput,
  candidates: ReadonlyArray<{ id: string; verdict: V }>,
  index: RelevanceIndex,
): RankedImage<V>[] {
  const prepared = preparePost(post, index);
  const scored = candidates.map((c, order) => ({ ...c, order, relevance: scoreRelevance(c.verdict.labels, prepared, index) }));
  scored.sort(
    (a, b) =>
      DECISION_ORDER[a.verdict.decision] - DECISION_ORDER[b.verdict.decision] ||
      b.relevance.score - a.relevance.score ||
      (b.verdict.quality?.score ?? -1) - (a.verdict.quality?.score ?? -1) ||
      a.order - b.order,
  );
  return scored.map((c, i) => {
    const quality = c.verdict.quality?.score;
    const next = scored[i + 1];
    const tie = next && DECISION_ORDER[next.verdict.decision] === DECISION_ORDER[c.verdict.decision] && next.relevance.score === c.relevance.score;
    const parts = [
      DECISION_WORDS[c.verdict.decision],
      `relevance ${c.relevance.score.toFixed(2)}: ${c.relevance.explanation}`,
      ...(quality !== undefined ? [`quality ${quality.toFixed(2)}${tie ? ' (breaks the relevance tie)' : ''}`] : []),
    ];
    return { id: c.id, rank: i + 1, verdict: c.verdict, relevance: c.relevance, why: parts.join('; ') };
  });
}
