/**
 * Generates models/wordnet-relevance.json, the committed index that relevance scoring
 * (functions/shared/relevance/) reads: the ImageNet classes and every WordNet node above them (lemmas,
 * parents, depth, intrinsic information content, a short gloss and its content words), what each class
 * is related to (parts, wholes, members, derived verbs and adjectives, topic domains), and a vocabulary
 * for post words: each lemma's senses reduced to the nodes they reach (the sense itself, the nearest
 * node above it, the concepts its gloss names, the nouns it derives from), with a sense weight from the
 * SemCor tag counts. Plus WordNet's morphological exception lists, so inflected post words lemmatise
 * exactly as WordNet's morphy does. Run where Debian's wordnet-base is installed (WordNet 3.0, the
 * version ImageNet's wnids come from):
 *
 *   apt-get install -y wordnet-base
 *   npx tsx models/scripts/generate-wordnet-index.ts
 *
 * The output is committed: neither CI nor the Lambdas need WordNet installed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../functions/shared/project.js';
import { MORPHY_RULES, STOPWORDS } from '../../functions/shared/relevance/words.js';

const { values } = parseArgs({
  options: {
    wordnet: { type: 'string', default: '/usr/share/wordnet' },
    classes: { type: 'string', default: path.join(projectRoot, 'models/imagenet-taxonomy.json') },
    out: { type: 'string', default: path.join(projectRoot, 'models/wordnet-relevance.json') },
  },
});

type Pos = 'n' | 'v' | 'a' | 'r';
interface Pointer {
  symbol: string;
  target: string;
}
interface Synset {
  key: string;
  pos: Pos;
  lemmas: string[];
  pointers: Pointer[];
  gloss: string;
  lexFile: number;
  lexIds: number[];
}

const FILES: Record<Pos, string> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };
const sources: Record<string, string> = {};
function read(name: string): string {
  const text = readFileSync(path.join(values.wordnet, name), 'utf8');
  sources[name] = createHash('sha256').update(text).digest('hex');
  return text;
}

const synsets = new Map<string, Synset>();
for (const pos of Object.keys(FILES) as Pos[]) {
  for (const line of read(`data.${FILES[pos]}`).split('\n')) {
    if (!/^\d{8} /.test(line)) continue; // licence header lines start with spaces
    const bar = line.indexOf(' | ');
    const fields = line.slice(0, bar).trim().split(/\s+/);
    const wordCount = parseInt(fields[3], 16);
    const lemmas: string[] = [];
    const lexIds: number[] = [];
    for (let i = 0; i < wordCount; i++) {
      lemmas.push(
        fields[4 + 2 * i]
          .replace(/\((a|p|ip)\)$/, '')
          .replace(/_/g, ' ')
          .toLowerCase(),
      );
      lexIds.push(parseInt(fields[5 + 2 * i], 16));
    }
    let at = 4 + 2 * wordCount;
    const pointerCount = parseInt(fields[at++], 10);
    const pointers: Pointer[] = [];
    for (let i = 0; i < pointerCount; i++, at += 4) {
      const targetPos = fields[at + 2] === 's' ? 'a' : fields[at + 2];
      pointers.push({ symbol: fields[at], target: `${targetPos}${fields[at + 1]}` });
    }
    const key = `${pos}${fields[0]}`;
    synsets.set(key, { key, pos, lemmas, pointers, gloss: line.slice(bar + 3).trim(), lexFile: parseInt(fields[1], 10), lexIds });
  }
}

// Sense frequencies: SemCor tag counts by sense key (lemma%ss_type:lex_filenum:lex_id::).
const tagCounts = new Map<string, number>();
for (const line of read('cntlist.rev').split('\n')) {
  const [senseKey, , count] = line.split(' ');
  if (senseKey) tagCounts.set(senseKey, Number(count));
}
const SS_TYPE: Record<Pos, number> = { n: 1, v: 2, a: 3, r: 4 };

/** lemma → its senses (synset keys) in WordNet's order (most frequent first), with tag counts. */
const senses = new Map<string, Array<{ key: string; count: number }>>();
for (const pos of ['n', 'v', 'a'] as Pos[]) {
  for (const line of read(`index.${FILES[pos]}`).split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const lemma = f[0].replace(/_/g, ' ');
    const synsetCount = Number(f[2]);
    const offsets = f.slice(f.length - synsetCount);
    const list = senses.get(lemma) ?? [];
    for (const offset of offsets) {
      const key = `${pos}${offset}`;
      const s = synsets.get(key);
      if (!s) continue;
      const i = s.lemmas.indexOf(lemma);
      const satellite = pos === 'a' && s.pointers.some((p) => p.symbol === '&') && !s.pointers.some((p) => p.symbol === '!');
      const ssType = satellite ? 5 : SS_TYPE[pos];
      const lexId = String(s.lexIds[Math.max(0, i)]).padStart(2, '0');
      const senseKey = `${lemma.replace(/ /g, '_')}%${ssType}:${String(s.lexFile).padStart(2, '0')}:${lexId}::`;
      list.push({ key, count: tagCounts.get(senseKey) ?? tagCounts.get(senseKey.replace('%5', '%3')) ?? 0 });
    }
    senses.set(lemma, list);
  }
}

// The noun hierarchy: parents, depth, intrinsic information content (Seco et al. 2004: 1 - log(hyponyms+1)/log(nouns)).
const parentsOf = (s: Synset) => s.pointers.filter((p) => p.symbol === '@' || p.symbol === '@i').map((p) => p.target);
const children = new Map<string, string[]>();
for (const s of synsets.values()) {
  if (s.pos !== 'n') continue;
  for (const p of parentsOf(s)) (children.get(p) ?? children.set(p, []).get(p)!).push(s.key);
}
const hyponymCount = new Map<string, number>();
function countHyponyms(key: string): number {
  const known = hyponymCount.get(key);
  if (known !== undefined) return known;
  hyponymCount.set(key, 0); // guards a cycle (WordNet 3.0 has none)
  let n = 0;
  for (const c of children.get(key) ?? []) n += 1 + countHyponyms(c);
  hyponymCount.set(key, n);
  return n;
}
const nounCount = [...synsets.values()].filter((s) => s.pos === 'n').length;
const ic = (key: string) => 1 - Math.log(countHyponyms(key) + 1) / Math.log(nounCount);
const depthOf = new Map<string, number>();
function depth(key: string): number {
  const known = depthOf.get(key);
  if (known !== undefined) return known;
  const ps = parentsOf(synsets.get(key)!);
  const d = ps.length ? 1 + Math.min(...ps.map(depth)) : 1;
  depthOf.set(key, d);
  return d;
}

// The nodes: ImageNet classes and everything above them.
const taxonomy = JSON.parse(readFileSync(values.classes, 'utf8')) as { classes: Record<string, unknown> };
const wnids = Object.keys(taxonomy.classes);
if (wnids.length !== 1000) throw new Error(`${values.classes} lists ${wnids.length} classes, expected the 1000 ImageNet classes.`);
/** Content words of a gloss (examples in quotes dropped), lemmatised with the full WordNet lemma set. */
const exceptions: Record<Pos, Map<string, string[]>> = { n: new Map(), v: new Map(), a: new Map(), r: new Map() };
for (const pos of ['n', 'v', 'a'] as Pos[]) {
  for (const line of read(`${FILES[pos]}.exc`).split('\n')) {
    const [form, ...bases] = line.trim().split(' ');
    if (form)
      exceptions[pos].set(
        form.replace(/_/g, ' '),
        bases.map((b) => b.replace(/_/g, ' ')),
      );
  }
}
function baseForms(word: string, known: (w: string) => boolean): string[] {
  const out: string[] = [];
  if (known(word)) out.push(word);
  for (const pos of ['n', 'v', 'a'] as const) {
    for (const b of exceptions[pos].get(word) ?? []) if (known(b) && !out.includes(b)) out.push(b);
    for (const [suffix, replacement] of MORPHY_RULES[pos]) {
      if (word.length > suffix.length + 1 && word.endsWith(suffix)) {
        const b = word.slice(0, word.length - suffix.length) + replacement;
        if (known(b) && !out.includes(b)) out.push(b);
      }
    }
  }
  return out;
}
const inWordnet = (w: string) => senses.has(w);
function glossWords(gloss: string): string[] {
  const definition = gloss.replace(/"[^"]*"/g, ' ').split(';')[0];
  const words = new Set<string>();
  for (const raw of definition.toLowerCase().match(/[a-z][a-z'-]*/g) ?? []) {
    if (STOPWORDS.has(raw)) continue;
    const base = baseForms(raw, inWordnet)[0] ?? raw;
    if (!STOPWORDS.has(base) && base.length > 2) words.add(base);
  }
  return [...words];
}

/** The noun synsets a gloss names: each content word's (or two-word collocation's) most frequent noun sense. */
function glossNouns(gloss: string): string[] {
  const definition = gloss.replace(/"[^"]*"/g, ' ').split(';')[0];
  const raw = (definition.toLowerCase().match(/[a-z][a-z'-]*/g) ?? []).filter((w) => !STOPWORDS.has(w));
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const two = i + 1 < raw.length ? baseForms(`${raw[i]} ${raw[i + 1]}`, inWordnet)[0] : undefined;
    const lemma = two ?? baseForms(raw[i], inWordnet)[0];
    if (two) i++;
    // Only a word used mostly as a noun: "large" has a rare noun sense (a garment size) that would link
    // every "large ..." definition to clothing.
    const list = lemma ? senses.get(lemma) : undefined;
    const top = list && Math.max(...list.map((x) => x.count));
    const first = list?.find((x) => x.key.startsWith('n') && (x.count === top || top === 0));
    if (first && top === 0 && !list![0].key.startsWith('n')) continue;
    if (first && !out.includes(first.key)) out.push(first.key);
  }
  return out;
}

// What each class (and its two nearest hypernyms) is related to besides its hypernyms: parts, wholes,
// members, derived words, topics, and the nouns its own definition names ("a sled pulled by dogs").
const RELATED: Record<string, string> = {
  '%p': 'part',
  '%m': 'member',
  '%s': 'substance',
  '#p': 'whole',
  '#m': 'group',
  '#s': 'made of',
  '+': 'derived',
  ';c': 'topic',
  '-c': 'topic member',
  '=': 'attribute',
};
const relatedOf = (key: string): Array<[string, string]> =>
  synsets
    .get(key)!
    .pointers.filter((p) => RELATED[p.symbol])
    .map((p) => [p.target, RELATED[p.symbol]]);
const facets = new Map<string, Map<string, string>>();
for (const wnid of wnids) {
  const key = `n${wnid.slice(1)}`;
  if (!synsets.has(key)) throw new Error(`${wnid} is not a noun synset in ${values.wordnet}: is this WordNet 3.0?`);
  const seen = new Map<string, string>();
  for (const g of glossNouns(synsets.get(key)!.gloss)) seen.set(g, 'definition');
  const near = [key, ...parentsOf(synsets.get(key)!)];
  for (const p of parentsOf(synsets.get(key)!)) near.push(...parentsOf(synsets.get(p)!));
  for (const k of near) for (const [target, via] of relatedOf(k)) if (!seen.has(target)) seen.set(target, via);
  seen.delete(key);
  facets.set(wnid, seen);
}

// The node hierarchy: the classes, the nouns they are related to, and everything above them.
const closure = new Set<string>();
const climb = (key: string) => {
  if (closure.has(key)) return;
  closure.add(key);
  for (const p of parentsOf(synsets.get(key)!)) climb(p);
};
for (const wnid of wnids) climb(`n${wnid.slice(1)}`);
for (const f of facets.values()) for (const key of f.keys()) if (key.startsWith('n')) climb(key);

const nodes: string[] = []; // synset keys; a node's index is its id in the output
const nodeIndex = new Map<string, number>();
const nodeOf = (key: string) => {
  let i = nodeIndex.get(key);
  if (i === undefined) {
    i = nodes.length;
    nodes.push(key);
    nodeIndex.set(key, i);
  }
  return i;
};
for (const key of [...closure].sort()) nodeOf(key);
const closureCount = nodes.length;

const classRelated: Record<string, Array<[number, string]>> = {};
for (const [wnid, f] of facets) classRelated[wnid] = [...f].map(([t, via]) => [nodeOf(t), via]);

/** The nodes a noun sense reaches upwards: itself when it is a node, else the nearest nodes above it. */
function anchors(key: string): Array<{ node: string; hops: number }> {
  if (nodeIndex.has(key) && closure.has(key)) return [{ node: key, hops: 0 }];
  const out: Array<{ node: string; hops: number }> = [];
  let frontier = [key];
  for (let hops = 1; frontier.length && hops <= 8; hops++) {
    const next: string[] = [];
    for (const k of frontier)
      for (const p of parentsOf(synsets.get(k)!)) {
        if (closure.has(p)) {
          if (!out.some((o) => o.node === p)) out.push({ node: p, hops });
        } else next.push(p);
      }
    if (out.length) break;
    frontier = next;
  }
  return out;
}

// A sense entry can only score if the node it reaches could give a Lin similarity of at least this with some class.
const MIN_REACH = 0.3;
const RARE_MAX_HOPS = 2;
const q = (x: number) => Math.round(Math.max(0, Math.min(1, x)) * 100);
const VIA = { sense: 0, gloss: 1, derived: 2 } as const;

/** Entries [via, node, ic(sense) 0-100, exact 0|1] for one noun synset reached via `via`. */
function nounEntries(key: string, via: number, maxHops = Infinity): number[][] {
  const out: number[][] = [];
  const own = ic(key);
  if (nodeIndex.has(key) && !closure.has(key)) out.push([via, nodeIndex.get(key)!, q(own), 1]); // a related node (part, topic, ...)
  for (const a of anchors(key).filter((x) => x.hops <= maxHops)) {
    const reach = (2 * ic(a.node)) / (own + 1);
    if (reach >= MIN_REACH) out.push([via, nodeOf(a.node), q(own), a.hops === 0 ? 1 : 0]);
  }
  return out;
}

/** One number per entry (see ENTRY in functions/shared/relevance/index-data.ts): node, ic, via, exact, weight in twentieths. */
const packEntry = ([via, node, icq, exact, weight]: number[]) => (((node * 101 + icq) * 3 + via) * 2 + exact) * 21 + Math.round(weight / 5);
const vocabulary: Record<string, number[]> = {};
for (const [lemma, list] of senses) {
  if (STOPWORDS.has(lemma) || !/^[a-z]/.test(lemma)) continue;
  const maxCount = Math.max(...list.map((s) => s.count));
  const entries: number[][] = [];
  for (const [rank, s] of list.entries()) {
    // Sense weight: its share of the lemma's tag count, relative to the most frequent; untagged senses by rank.
    const weight = maxCount > 0 ? (s.count + 0.5) / (maxCount + 0.5) : 1 / (rank + 1);
    const synset = synsets.get(s.key)!;
    const found: number[][] = [];
    // A rare word (never tagged in SemCor) only where WordNet places it close to a node: the index would
    // otherwise carry every species and place name in WordNet.
    if (synset.pos === 'n') found.push(...nounEntries(s.key, VIA.sense, maxCount > 0 ? Infinity : RARE_MAX_HOPS));
    else {
      // A verb or adjective a class is related to ("bake" for bakery) is a node itself.
      if (nodeIndex.has(s.key)) found.push([VIA.sense, nodeIndex.get(s.key)!, 100, 1]);
      for (const p of synset.pointers)
        if ((p.symbol === '+' || p.symbol === '\\' || p.symbol === '=') && p.target.startsWith('n')) found.push(...nounEntries(p.target, VIA.derived));
    }
    // Gloss links only to a concept that is itself a node (a class, a hypernym, a related node): a gloss word
    // merely somewhere below a node says too little to be worth the index space.
    // Only for words in common use (tagged in SemCor at least once), the ones titles are made of.
    if (maxCount > 0) for (const g of glossNouns(synset.gloss)) if (g !== s.key) found.push(...nounEntries(g, VIA.gloss).filter((e) => e[3] === 1));
    for (const e of found) {
      const prior = entries.find((x) => x[1] === e[1] && x[0] === e[0]);
      const w = q(weight);
      if (prior) prior[4] = Math.max(prior[4], w);
      else entries.push([...e, w]);
    }
  }
  // A rare collocation is kept only when it names a node ("sailing ship", "spaghetti squash").
  if (lemma.includes(' ') && maxCount === 0 && !entries.some((e) => e[3] === 1 && e[0] === VIA.sense)) continue;
  if (entries.length) vocabulary[lemma] = entries.slice(0, 24).map(packEntry);
}

// Lemma set the runtime lemmatiser checks candidates against: the vocabulary plus every gloss/class word.
const classKeys = new Set(wnids.map((w) => `n${w.slice(1)}`));
const nodeOut = nodes.map((key) => {
  const s = synsets.get(key)!;
  const inClosure = nodeIndex.get(key)! < closureCount;
  const parents = inClosure ? parentsOf(s).map((p) => nodeIndex.get(p)!) : [];
  const definition = s.gloss
    .replace(/"[^"]*"/g, '')
    .split(';')[0]
    .trim();
  // Glosses only for the classes: the scorer compares post words with a class's gloss and quotes it.
  if (!inClosure) return { id: key, lemmas: s.lemmas.slice(0, 2) };
  const node = { id: key, lemmas: s.lemmas.slice(0, 4), parents, depth: depth(key), ic: q(ic(key)) };
  return classKeys.has(key) ? { ...node, gloss: definition, words: glossWords(s.gloss) } : node;
});
const lemmaSet = new Set<string>(Object.keys(vocabulary));
for (const n of nodeOut) {
  for (const l of n.lemmas) for (const w of l.split(' ')) lemmaSet.add(w);
  for (const w of 'words' in n ? n.words : []) lemmaSet.add(w);
}
const morphExceptions: Record<string, string> = {};
for (const pos of ['n', 'v', 'a'] as Pos[])
  for (const [form, bases] of exceptions[pos]) {
    const base = bases.find((b) => lemmaSet.has(b));
    if (base && !lemmaSet.has(form) && !morphExceptions[form]) morphExceptions[form] = base;
  }
const extraWords = [...lemmaSet].filter((w) => !vocabulary[w]).sort();

const doc = {
  description:
    'WordNet 3.0 index for relevance scoring: ImageNet classes and their hypernyms (parents, depth, intrinsic IC 0-100, gloss and its content words), class relations, a post-word vocabulary (lemma → packed entries: ((((node * 101 + ic) * 3 + via) * 2 + exact) * 21 + weight/5, via 0 sense, 1 gloss, 2 derived) and morphy exceptions.',
  source: { wordnet: 'WordNet 3.0, Debian package wordnet-base', sha256: sources },
  regenerate: 'apt-get install -y wordnet-base && npx tsx models/scripts/generate-wordnet-index.ts',
  closureCount,
  nodes: nodeOut,
  classes: Object.fromEntries(wnids.map((w) => [w, { node: nodeIndex.get(`n${w.slice(1)}`)!, related: classRelated[w] }])),
  vocabulary,
  words: extraWords,
  exceptions: morphExceptions,
};
const text = `${JSON.stringify(doc)}\n`;
const tmp = `${values.out}.tmp-${process.pid}`;
writeFileSync(tmp, text);
renameSync(tmp, values.out);
console.log(
  `wrote ${values.out}: ${nodes.length} nodes (${closureCount} in the ImageNet hierarchy), ${Object.keys(vocabulary).length} vocabulary lemmas, ${extraWords.length} more words, ${Object.keys(morphExceptions).length} exceptions, ${(text.length / 1024).toFixed(0)} KiB`,
);
