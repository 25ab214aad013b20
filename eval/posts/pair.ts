/**
 * Writes the relevance calibration sets eval/posts/dev.tsv and eval/posts/held-out.tsv (labels files for
 * `npm run eval`) from the hand-written posts in dev-posts.tsv and held-out-posts.tsv: each post's own
 * photo (relevant = yes) and 4 other photos (relevant = no), the same 4 for the three styles of a photo.
 * Others are drawn with a fixed seed from the labelled photos not used by the other set, never sharing
 * a close WordNet ancestor with the subject (a yawl is not off-topic for a post about a schooner: an
 * ancestor that covers at most 150 of the 1000 ImageNet classes counts as close).
 *
 *   npx tsx eval/posts/pair.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import taxonomy from '../../models/imagenet-taxonomy.json' with { type: 'json' };
import { projectRoot, sharedDir } from '../../functions/shared/project.js';

const here = path.join(projectRoot, 'eval/posts');
const imagesDir = path.join(sharedDir(), 'images');
const classes = taxonomy.classes as Record<string, { lemmas: string[]; hypernyms: string[] }>;
const CLOSE = 150;
const DISTRACTORS = 4;

const coverage = new Map<string, number>();
for (const c of Object.values(classes)) for (const h of c.hypernyms) coverage.set(h, (coverage.get(h) ?? 0) + 1);
const wnidOf = (file: string) => /(n\d{8})_/.exec(file)![1];
const close = (a: string, b: string) => {
  if (a === b) return true;
  const hb = new Set(classes[b].hypernyms);
  return classes[a].hypernyms.some((h) => hb.has(h) && coverage.get(h)! <= CLOSE);
};

const tsv = (file: string) => {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
};
const labels = new Map(tsv(path.join(imagesDir, 'labels.tsv')).map((r) => [r.file, r]));
const sets = { dev: tsv(path.join(here, 'dev-posts.tsv')), 'held-out': tsv(path.join(here, 'held-out-posts.tsv')) };

let seed = 2026;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const relative = path.relative(here, imagesDir);

for (const [name, posts] of Object.entries(sets)) {
  const other = new Set(Object.entries(sets).flatMap(([n, p]) => (n === name ? [] : p.map((r) => r.file))));
  const pool = [...labels.keys()].filter((f) => !other.has(f));
  const lines = ['file\texpected\tcategory\tpost\trelevant\tstyle'];
  const row = (file: string, post: string, relevant: string, style: string) => {
    const l = labels.get(file);
    if (!l) throw new Error(`${file} is not in ${imagesDir}/labels.tsv`);
    lines.push([path.join(relative, file), l.expected, l.category ?? '', post, relevant, style].join('\t'));
  };
  for (const p of posts) {
    const picked: string[] = [];
    while (picked.length < DISTRACTORS) {
      const f = pool[Math.floor(random() * pool.length)];
      if (!picked.includes(f) && !close(wnidOf(f), wnidOf(p.file))) picked.push(f);
    }
    for (const style of ['subject', 'category', 'implied']) {
      row(p.file, p[style], 'yes', style);
      for (const f of picked) row(f, p[style], 'no', style);
    }
  }
  writeFileSync(path.join(here, `${name}.tsv`), `${lines.join('\n')}\n`);
  console.log(`${name}.tsv: ${posts.length * 3} posts, ${lines.length - 1} rows`);
}
