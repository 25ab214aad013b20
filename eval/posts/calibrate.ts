/**
 * Fast relevance calibration: scores a posts labels file (eval/posts/dev.tsv) from classifier labels
 * recorded by an earlier `npm run eval -- ../shared/images/labels.tsv` (its report.json holds every
 * photo's top-5 labels), so tuning the scorer runs no model. The honest figure is `npm run eval --
 * eval/posts/<set>.tsv`, which classifies every photo with the real workflow.
 *
 *   npx tsx eval/posts/calibrate.ts [--set dev] [--report .eval/report.json] [--verbose]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../functions/shared/project.js';
import { relevanceIndex } from '../../functions/shared/relevance/index-data.js';
import { DEFAULT_PARAMS, scoreRelevance, type LabelInput, type RelevanceParams } from '../../functions/shared/relevance/score.js';
import { summariseRelevance, type RelevanceCase } from '../relevance.js';

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'dev' },
    report: { type: 'string', default: path.join(projectRoot, '.eval/report.json') },
    params: { type: 'string', default: '{}' },
    verbose: { type: 'boolean', default: false },
  },
});
const report = JSON.parse(readFileSync(values.report, 'utf8')) as { cases: Array<{ file: string; input?: { classification?: LabelInput[] } }> };
const labelsOf = new Map(report.cases.map((c) => [path.basename(c.file), c.input?.classification ?? []]));
const [header, ...rows] = readFileSync(path.join(projectRoot, `eval/posts/${values.set}.tsv`), 'utf8')
  .trim()
  .split('\n');
const cols = header.split('\t');
const params: RelevanceParams = { ...DEFAULT_PARAMS, ...(JSON.parse(values.params) as Partial<RelevanceParams>) };
const index = relevanceIndex();
const cases: RelevanceCase[] = [];
const started = performance.now();
for (const line of rows) {
  const r = Object.fromEntries(line.split('\t').map((v, i) => [cols[i], v]));
  const labels = labelsOf.get(path.basename(r.file));
  if (!labels) throw new Error(`${r.file} has no labels in ${values.report}: run npm run eval -- ../shared/images/labels.tsv first`);
  const rel = scoreRelevance(labels, { title: r.post }, index, params);
  cases.push({ file: r.file, post: r.post, relevant: r.relevant === 'yes', score: rel.score, style: r.style });
  if (values.verbose && r.relevant === 'yes')
    console.log(
      `${rel.score.toFixed(3)} ${r.style.padEnd(8)} ${path.basename(r.file)} | ${r.post} | ${labels.map((l) => l.label).join(', ')} | ${rel.explanation}`,
    );
}
const ms = performance.now() - started;
const s = summariseRelevance(cases);
const f = (x?: number) => (x === undefined ? '-' : x.toFixed(3));
console.log(`${values.set}: ${s.posts} posts, AUC ${f(s.auc)}, pick@1 ${f(s.pickAt1)}; ${(ms / cases.length).toFixed(3)} ms per pair`);
for (const [style, v] of Object.entries(s.byStyle)) console.log(`  ${style.padEnd(9)} pick@1 ${f(v.pickAt1)} (${v.posts} posts), AUC ${f(v.auc)}`);
if (values.verbose) {
  const byPost = new Map<string, RelevanceCase[]>();
  for (const c of cases) (byPost.get(c.post) ?? byPost.set(c.post, []).get(c.post)!).push(c);
  for (const [post, list] of byPost) {
    const own = list.find((c) => c.relevant)!;
    const beat = list.filter((c) => !c.relevant && c.score >= own.score);
    if (beat.length) console.log(`MISS ${own.style} "${post}" own ${own.score} < ${beat.map((b) => `${path.basename(b.file)} ${b.score}`).join(', ')}`);
  }
}
