/**
 * How relevant an image is to a post, from the classifier's labels alone (a pure function: no model
 * runs, so a stored verdict can be scored against any number of posts).
 *
 * Each post term is matched against each label's ImageNet class through WordNet:
 * - the term names the class or one of its hypernyms ("schooner", "sailing ship"), or a node near it:
 *   Lin's similarity over the hypernym tree, 2·IC(lcs) / (IC(term) + IC(class)), with intrinsic IC, so a
 *   specific shared ancestor (sailing vessel) counts and a generic one (artifact) does not;
 * - the term is related to the class: a part, whole, member or topic of it or of its parents ("canvas"
 *   in its sense "sail" is a part of a sailing vessel);
 * - the term's own definition names such a node ("crew: the men and women who man a vehicle (ship ...)"),
 *   or the term derives from one ("sailing" from "sail"), at a discount;
 * - the term appears in the class's definition (gloss overlap), weighted by how rare the word is there.
 * A term's senses are weighted by their frequency (SemCor counts), softened so that a rarer sense the
 * image supports still counts. A label's score is the noisy-or of its terms' matches; the image's is the
 * labels' scores weighted by their probabilities.
 */
import type { PostInput, Relevance, RelevanceMatch, RelevanceVia as MatchVia } from '../contracts/index.js';
import type { ClassInfo, RelevanceIndex, SenseEntry } from './index-data.js';
import { postTerms, type Term } from './terms.js';

export interface LabelInput {
  label: string;
  wnid: string;
  score: number;
}

export interface RelevanceParams {
  /** Sense weight exponent: 1 trusts WordNet's frequencies fully, 0 treats every sense alike. */
  senseExponent: number;
  /** Lin similarity below this is no evidence; above it is rescaled to 0..1. */
  linFloor: number;
  /** Sharpening of the rescaled similarity (>1 favours close matches). */
  linPower: number;
  /** Weight of a match through something the class is related to (part, whole, topic) ... */
  related: number;
  /** ... or through a noun its definition names. */
  definition: number;
  /** Discounts for reaching a node through the term's definition or derivation rather than its sense. */
  viaGloss: number;
  viaDerived: number;
  /** Weight of a term found in the class's gloss, times the word's rarity there. */
  glossOverlap: number;
  /** Label probability exponent before normalising (<1 spreads credit to lower labels). */
  probabilityExponent: number;
}

export const DEFAULT_PARAMS: Readonly<RelevanceParams> = Object.freeze({
  senseExponent: 0.5,
  linFloor: 0.5,
  linPower: 1,
  related: 0.6,
  definition: 0.6,
  viaGloss: 0.3,
  viaDerived: 0.8,
  glossOverlap: 0.4,
  probabilityExponent: 0.5,
});

const MAX_MATCHES = 5;
const ENGINE = 'wordnet-3.0-lin';

const article = (w: string) => (/^[aeiou]/i.test(w) ? `an ${w}` : `a ${w}`);
const name = (index: RelevanceIndex, node: number) => index.nodes[node].lemmas[0];

interface Best {
  weight: number;
  via: MatchVia;
  /** Built only for the matches shown: string work dominates otherwise. */
  why: () => string;
}

/** The strongest way one sense entry of a term supports one class. */
function entryMatch(term: Term, e: SenseEntry, c: ClassInfo, label: string, index: RelevanceIndex, p: RelevanceParams): Best | undefined {
  const viaFactor = e.via === 'sense' ? 1 : e.via === 'gloss' ? p.viaGloss : p.viaDerived;
  const prior = viaFactor * Math.pow(e.weight, p.senseExponent);
  if (prior <= 0) return undefined;
  const quoted = () =>
    `'${term.text}'${e.via === 'sense' ? '' : e.via === 'gloss' ? ` (its definition names ${name(index, e.node)})` : ` (from ${name(index, e.node)})`}`;
  let best: Best | undefined;
  // What the class is related to (parts, wholes, topics, the nouns of its definition): the term names one
  // of them, or a kind of one ("ale" for the beer of "a bottle that holds beer").
  for (const a of index.nodes[e.node].ancestors) {
    const relation = c.related.get(a);
    if (!relation) continue;
    const facet = index.nodes[a];
    const lin = e.exact && a === e.node ? 1 : (2 * facet.ic) / (e.ic + facet.ic);
    if (lin <= p.linFloor) continue;
    const weight = prior * (relation === 'definition' ? p.definition : p.related) * rescale(lin, p);
    if (best && best.weight >= weight) continue;
    const what = () => (a === e.node && e.exact ? '' : `, a kind of ${facet.lemmas[0]}`);
    best = {
      weight,
      via: relation === 'definition' ? 'definition' : 'related',
      why: () =>
        relation === 'definition'
          ? `${quoted()}${what()} matches ${label} (${c.gloss})`
          : `${quoted()}${what()} matches ${label} (${article(facet.lemmas[0])} is ${relationWords(relation)} ${article(label)})`,
    };
  }
  const cls = index.nodes[c.node];
  const node = index.nodes[e.node];
  // Least common subsumer: the most informative ancestor of the entry's node that is also the class's.
  let lcs = -1;
  for (const a of node.ancestors)
    if (c.ancestors.has(a)) {
      lcs = a;
      break;
    }
  if (lcs < 0) return best;
  const lin = e.exact && e.node === c.node ? 1 : (2 * index.nodes[lcs].ic) / (e.ic + cls.ic);
  if (lin <= p.linFloor) return best;
  const weight = prior * rescale(lin, p);
  if (best && best.weight >= weight) return best;
  if (e.exact && e.node === c.node) return { weight, via: 'name', why: () => `${quoted()} names ${label}` };
  if (lcs === c.node) return { weight, via: 'similar', why: () => `${quoted()} is a kind of ${label}` };
  if (e.exact && lcs === e.node)
    return { weight, via: 'hypernym', why: () => `${quoted()} matches ${label} (${article(label)} is ${article(name(index, lcs))})` };
  return { weight, via: 'similar', why: () => `${quoted()} is close to ${label} (both are kinds of ${name(index, lcs)})` };
}

const rescale = (lin: number, p: RelevanceParams) => Math.pow(Math.min(1, (lin - p.linFloor) / (1 - p.linFloor)), p.linPower);

function relationWords(relation: string): string {
  switch (relation) {
    case 'part':
      return 'part of';
    case 'member':
      return 'a member of';
    case 'substance':
      return 'a substance of';
    case 'whole':
      return 'a whole containing';
    case 'group':
      return 'a group including';
    case 'made of':
      return 'what makes up';
    case 'topic':
      return 'the domain of';
    case 'topic member':
      return 'a term of the domain of';
    default:
      return 'related to';
  }
}

/** The best match of one term against one class, over all its lemmas' senses and the class's gloss. */
function termMatch(term: Term, c: ClassInfo, label: string, index: RelevanceIndex, p: RelevanceParams): Best | undefined {
  let best: Best | undefined;
  for (const lemma of term.lemmas) {
    for (const e of index.senses(lemma) ?? []) {
      const m = entryMatch(term, e, c, label, index, p);
      if (m && (!best || m.weight > best.weight)) best = m;
    }
    if (!lemma.includes(' ') && c.words.has(lemma)) {
      const weight = p.glossOverlap * (index.glossIdf.get(lemma) ?? 0);
      if (!best || weight > best.weight) best = { weight, via: 'gloss', why: () => `'${term.text}' is in the definition of ${label} (${c.gloss})` };
    }
  }
  return best;
}

/** A post's terms, found once when many images are scored against one post. */
export interface PreparedPost {
  terms: Term[];
}

export function preparePost(post: PostInput, index: RelevanceIndex): PreparedPost {
  return { terms: postTerms(post, index) };
}

/**
 * Relevance of an image (its classifier labels, best first) to a post. Pure: the same labels and post
 * always give the same result.
 */
export function scoreRelevance(
  labels: readonly LabelInput[],
  post: PostInput | PreparedPost,
  index: RelevanceIndex,
  params: RelevanceParams = DEFAULT_PARAMS,
): Relevance {
  const engine = `${ENGINE}/${index.version}`;
  const terms = 'terms' in post ? post.terms : postTerms(post, index);
  const known = labels.filter((l) => index.classes.has(l.wnid) && l.score > 0);
  if (!terms.length || !known.length) {
    return {
      score: 0,
      matches: [],
      engine,
      explanation: !terms.length ? 'No word of the post is in WordNet as a subject.' : 'No classifier label to compare the post with.',
    };
  }
  const weights = known.map((l) => Math.pow(l.score, params.probabilityExponent));
  const total = weights.reduce((a, b) => a + b, 0);
  let score = 0;
  const found: Array<Omit<RelevanceMatch, 'why'> & { why: () => string }> = [];
  known.forEach((l, i) => {
    const c = index.classes.get(l.wnid)!;
    let miss = 1;
    for (const t of terms) {
      const m = termMatch(t, c, l.label, index, params);
      if (!m || m.weight <= 0) continue;
      miss *= 1 - Math.min(1, m.weight * t.weight);
      found.push({ term: t.text, label: l.label, via: m.via, weight: m.weight, why: m.why });
    }
    score += (weights[i] / total) * (1 - miss);
  });
  found.sort((a, b) => b.weight - a.weight);
  const top: RelevanceMatch[] = found.slice(0, MAX_MATCHES).map((m) => ({ ...m, weight: round(m.weight), why: m.why() }));
  return {
    score: round(score),
    matches: top,
    engine,
    explanation: top.length
      ? top
          .slice(0, 2)
          .map((m) => m.why)
          .join('; ')
      : `Nothing in the post matches ${known[0].label}.`,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
