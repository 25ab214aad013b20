/**
 * Generates models/imagenet-taxonomy.json: for each of the 1000 ImageNet classes, its WordNet lemmas
 * and its hypernym chain (tabby → cat → feline → carnivore → mammal → animal), for SEO tags. Run where
 * Debian's wordnet-base is installed (WordNet 3.0, the version ImageNet's wnids come from):
 *
 *   apt-get install -y wordnet-base
 *   npx tsx models/scripts/generate-taxonomy.ts [--synset ../shared/models/mobilenetv2-12-int8/labels.txt]
 *
 * The output is committed, so neither CI nor the Lambdas need WordNet.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot, sharedDir } from '../../functions/shared/project.js';

const { values } = parseArgs({
  options: {
    wordnet: { type: 'string', default: '/usr/share/wordnet/data.noun' },
    synset: { type: 'string', default: path.join(sharedDir(), 'models/mobilenetv2-12-int8/labels.txt') },
    out: { type: 'string', default: path.join(projectRoot, 'models/imagenet-taxonomy.json') },
  },
});

/**
 * Nodes too general (or too technical) to help a reader find a blog image: skipped, the chain goes on
 * above them. Judged by reading the chains of the 1000 classes.
 */
const GENERIC = new Set([
  'entity',
  'physical entity',
  'abstraction',
  'abstract entity',
  'object',
  'physical object',
  'whole',
  'unit',
  'artifact',
  'artefact',
  'instrumentality',
  'instrumentation',
  'organism',
  'being',
  'living thing',
  'animate thing',
  'causal agent',
  'cause',
  'matter',
  'thing',
  'part',
  'portion',
  'relation',
  'attribute',
  'group',
  'grouping',
  'measure',
  'psychological feature',
  'event',
  'act',
  'location',
  'region',
  'chordate',
  'vertebrate',
  'craniate',
  'placental',
  'placental mammal',
  'eutherian',
  'eutherian mammal',
  'metazoan',
  'commodity',
  'trade good',
  'good',
  'implement',
  'device',
  'container',
  'covering',
  'structure',
  'construction',
  'conveyance',
  'transport',
  'system',
  'substance',
  'solid',
  'food',
  'nutrient',
  'plant part',
  'plant structure',
  'natural object',
  'geological formation',
  'formation',
  'creation',
  'product',
  'article',
  'ware',
  'equipment',
  'material',
  'stuff',
]);
const MAX_HOPS = 12;

interface Synset {
  lemmas: string[];
  hypernyms: string[];
}

function parseDataNoun(text: string): Map<string, Synset> {
  const out = new Map<string, Synset>();
  for (const line of text.split('\n')) {
    if (!/^\d{8} /.test(line)) continue; // licence header lines start with spaces
    const fields = line.split(' | ')[0].trim().split(/\s+/);
    const offset = fields[0];
    const wordCount = parseInt(fields[3], 16);
    const lemmas: string[] = [];
    for (let i = 0; i < wordCount; i++) lemmas.push(fields[4 + 2 * i].replace(/\(.*\)$/, '').replace(/_/g, ' '));
    let at = 4 + 2 * wordCount;
    const pointerCount = parseInt(fields[at], 10);
    at++;
    const hypernyms: string[] = [];
    for (let i = 0; i < pointerCount; i++, at += 4) {
      if (fields[at] === '@' || fields[at] === '@i') hypernyms.push(fields[at + 1]);
    }
    out.set(offset, { lemmas, hypernyms });
  }
  return out;
}

const wordnetText = readFileSync(values.wordnet, 'utf8');
const wordnet = parseDataNoun(wordnetText);
const wnids = readFileSync(values.synset, 'utf8')
  .split('\n')
  .map((l) => /^(n\d{8})\s/.exec(l)?.[1])
  .filter((x): x is string => Boolean(x));
if (wnids.length !== 1000) throw new Error(`${values.synset} lists ${wnids.length} wnids, expected the 1000 ImageNet classes.`);

const classes: Record<string, { lemmas: string[]; hypernyms: string[] }> = {};
for (const wnid of wnids) {
  const s = wordnet.get(wnid.slice(1));
  if (!s) throw new Error(`${wnid} is not a noun synset in ${values.wordnet}: is this WordNet 3.0?`);
  const chain: string[] = [];
  let next = s.hypernyms[0];
  for (let hop = 0; next && hop < MAX_HOPS; hop++) {
    const parent = wordnet.get(next)!;
    const name = parent.lemmas[0].toLowerCase();
    if (!GENERIC.has(name) && !chain.includes(name)) chain.push(name);
    next = parent.hypernyms[0];
  }
  classes[wnid] = { lemmas: s.lemmas, hypernyms: chain };
}

const doc = {
  description: 'ImageNet-1k classes with their WordNet 3.0 lemmas and hypernym chains (nearest first, generic nodes skipped), for SEO tags.',
  source: { wordnet: 'WordNet 3.0, Debian package wordnet-base (data.noun)', dataNounSha256: createHash('sha256').update(wordnetText).digest('hex') },
  regenerate: 'apt-get install -y wordnet-base && npx tsx models/scripts/generate-taxonomy.ts',
  skipped: [...GENERIC].sort(),
  classes,
};
const tmp = `${values.out}.tmp-${process.pid}`;
writeFileSync(tmp, `${JSON.stringify(doc, null, 1)}\n`);
renameSync(tmp, values.out);
console.log(`wrote ${values.out} (${wnids.length} classes)`);
