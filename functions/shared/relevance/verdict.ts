/**
 * A verdict as answered for one execution input: with a post, its relevance to that post, computed from
 * the verdict's own labels (so a stored verdict answers any number of posts without a model run);
 * without one, no relevance (a stored verdict never carries another post's score).
 */
import type { ModerationInput, ReviewPost, Verdict } from '../contracts/index.js';
import { relevanceIndex } from './index-data.js';
import { scoreRelevance } from './score.js';

export function withRelevance<V extends Verdict>(verdict: V, input: Pick<ModerationInput, 'post'> | undefined): V {
  const { relevance: _stale, ...rest } = verdict;
  void _stale;
  if (!input?.post) return rest as V;
  return { ...rest, relevance: scoreRelevance(verdict.labels, input.post, relevanceIndex()) } as V;
}

/** The asking post as a review item keeps it: title, keywords and the image's relevance to it (no body text). */
export function reviewPostOf(verdict: Verdict, input: Pick<ModerationInput, 'post' | 'postId'> | undefined): ReviewPost | undefined {
  if (!input?.post) return undefined;
  const { title, keywords } = input.post;
  return {
    ...(input.postId !== undefined ? { postId: input.postId } : {}),
    title,
    ...(keywords?.length ? { keywords } : {}),
    relevance: scoreRelevance(verdict.labels, input.post, relevanceIndex()),
  };
}
