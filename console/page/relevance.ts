/**
 * The post an image was moderated for and how relevant the image is to it: the title and keywords, the
 * 0-1 score and the scorer's explanation in words, then the matches behind it.
 */
import type { VerdictRecord } from '../server/api.js';
import type { ModerationInput } from '../../functions/shared/contracts/index.js';
import { h } from './dom.js';

type Post = NonNullable<ModerationInput['post']>;
type Relevance = NonNullable<VerdictRecord['verdict']['relevance']>;

export function postPanel(post: Post | undefined, relevance: Relevance | undefined, postId?: string): HTMLElement {
  if (!post) return h('div', { class: 'post muted' }, 'post: none given (relevance is scored only for a post)');
  return h(
    'div',
    { class: 'post' },
    h('div', {}, h('strong', {}, 'Post '), postId ? h('span', { class: 'muted' }, `${postId} · `) : null, h('span', { class: 'post-title' }, post.title)),
    post.keywords?.length ? h('div', { class: 'tags post-keywords' }, ...post.keywords.map((k) => h('span', {}, k))) : null,
    relevance
      ? h(
          'div',
          { class: 'relevance', 'data-score': relevance.score },
          h('span', { class: `pill ${relevance.score > 0 ? 'approve' : 'review'} relevance-score` }, `relevance ${relevance.score.toFixed(2)}`),
          ' ',
          h('span', { class: 'relevance-explanation' }, relevance.explanation),
          relevance.matches.length
            ? h(
                'details',
                { class: 'relevance-matches' },
                h('summary', { class: 'muted' }, `${relevance.matches.length} match${relevance.matches.length === 1 ? '' : 'es'}`),
                h('ul', {}, ...relevance.matches.map((m) => h('li', { 'data-via': m.via }, `${m.why} · weight ${m.weight.toFixed(2)}`))),
              )
            : null,
          h('div', { class: 'muted' }, relevance.engine),
        )
      : h('div', { class: 'muted relevance' }, 'relevance: not scored (the verdict ended before its labels were known)'),
  );
}
