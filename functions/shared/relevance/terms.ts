/**
 * A post's words as WordNet terms: tokenised, lemmatised the way WordNet's morphy does (exception lists,
 * then suffix rules, a candidate kept only when it is a known lemma), joined into the longest multi-word
 * lemma WordNet knows ("sailing ships" → "sailing ship", "ice lollies" → "ice lolly"), function words
 * and title phrasing dropped.
 */
import type { PostInput } from '../contracts/index.js';
import type { RelevanceIndex } from './index-data.js';
import { MORPHY_RULES, STOPWORDS } from './words.js';

export interface Term {
  /** As written in the post ("sailing ships"). */
  text: string;
  /** The lemmas it stands for ("sailing ship"; a word may have several: "sailing" and "sail"). */
  lemmas: string[];
  /** How much the term counts: title and keywords 1, body text less. */
  weight: number;
}

const MAX_NGRAM = 4;
/** Body text counts less than the title: it names many things besides the picture. */
const TEXT_WEIGHT = 0.5;
/** Terms read from the body text (the title and keywords always count in full). */
const MAX_TEXT_TOKENS = 300;

/** Base forms of one word that the index knows, the word itself first. */
export function lemmasOf(word: string, index: RelevanceIndex): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    if (index.isWord(w) && !out.includes(w)) out.push(w);
  };
  add(word);
  const exception = index.exception(word);
  if (exception) add(exception);
  for (const pos of ['n', 'v', 'a'] as const)
    for (const [suffix, replacement] of MORPHY_RULES[pos])
      if (word.length > suffix.length + 1 && word.endsWith(suffix)) add(word.slice(0, word.length - suffix.length) + replacement);
  return out;
}

function tokens(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '') // "café" → "cafe", "piña" → "pina"
      .replace(/['’]s\b/g, '')
      .match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? []
  );
}

/** The terms of one piece of text, longest WordNet collocation first, then single words. */
function termsOf(text: string, weight: number, index: RelevanceIndex, limit = Infinity): Term[] {
  const words = tokens(text)
    .flatMap((w) => (w.includes('-') && !index.isWord(w) ? w.split('-').filter(Boolean) : [w]))
    .slice(0, limit);
  const out: Term[] = [];
  for (let i = 0; i < words.length;) {
    let matched = 0;
    for (let n = Math.min(MAX_NGRAM, words.length - i); n >= 2 && !matched; n--) {
      const head = words.slice(i, i + n - 1).join(' ');
      const last = words[i + n - 1];
      const lemmas = [last, ...lemmasOf(last, index)].map((l) => `${head} ${l}`).filter((l, k, all) => index.senses(l) && all.indexOf(l) === k);
      if (lemmas.length) {
        out.push({ text: words.slice(i, i + n).join(' '), lemmas, weight });
        matched = n;
      }
    }
    if (matched) {
      i += matched;
      continue;
    }
    const word = words[i++];
    if (STOPWORDS.has(word) || word.length < 2) continue;
    const lemmas = lemmasOf(word, index).filter((l) => !STOPWORDS.has(l));
    if (lemmas.length) out.push({ text: word, lemmas, weight });
  }
  return out;
}

/** Every term of a post; a term met twice counts once, at its higher weight. */
export function postTerms(post: PostInput, index: RelevanceIndex): Term[] {
  const all = [
    ...termsOf(post.title, 1, index),
    ...(post.keywords ?? []).flatMap((k) => termsOf(k, 1, index)),
    ...(post.text ? termsOf(post.text, TEXT_WEIGHT, index, MAX_TEXT_TOKENS) : []),
  ];
  const byKey = new Map<string, Term>();
  for (const t of all) {
    const key = t.lemmas.join('|');
    const prior = byKey.get(key);
    if (!prior || prior.weight < t.weight) byKey.set(key, t);
  }
  return [...byKey.values()];
}
