import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decide } from '../../functions/aggregate/decide.js';
import { DEFAULT_POLICY } from '../../functions/aggregate/policy.js';
import { InvalidInput } from '../../functions/shared/errors.js';
import { parseLabels } from '../../eval/labels.js';
import { score, type EvalCase } from '../../eval/score.js';
import { sweep, type SweepCase } from '../../eval/sweep.js';
import { sweepSvg } from '../../eval/chart.js';
import { sharedDir } from '../workflow/fixtures.js';

describe('eval: labels file', () => {
  it('reads the shared labels: 466 photos, 446 benign, 9 to flag with their categories, every file present', async () => {
    const file = path.join(sharedDir, 'images/labels.tsv');
    const images = parseLabels(await readFile(file, 'utf8'), file);
    expect(images).to.have.length(466);
    expect(images.filter((i) => i.expected === 'approve')).to.have.length(446);
    const flags = images.filter((i) => i.expected === 'flag');
    expect(flags).to.have.length(9);
    expect(flags.every((f) => f.category)).to.equal(true);
    expect(images[0].path.startsWith(path.join(sharedDir, 'images'))).to.equal(true);
  });

  it('reads relevance rows: the same file once per post, with post, relevant and style', () => {
    const rows = parseLabels(
      'file\texpected\tcategory\tpost\trelevant\tstyle\nx.jpg\tapprove\t\tSchooners\tyes\tsubject\nx.jpg\tapprove\t\tSquash\tno\tsubject\n',
      '/tmp/l.tsv',
    );
    expect(rows.map((r) => [r.file, r.post, r.relevant, r.style])).to.deep.equal([
      ['x.jpg', 'Schooners', true, 'subject'],
      ['x.jpg', 'Squash', false, 'subject'],
    ]);
  });

  for (const [text, pattern] of [
    ['name\texpected\nx.jpg\tapprove', /header/],
    ['file\texpected\tcategory\nx.jpg\tmaybe\t', /approve, flag or either/],
    ['file\texpected\tcategory\nx.jpg\tflag\t', /needs the category/],
    ['file\texpected\tcategory\nx.jpg\tflag\tNudity', /unknown category "Nudity"/],
    ['file\texpected\nx.jpg\tapprove\nx.jpg\tapprove', /listed twice/],
    ['file\texpected\n', /lists no images/],
    ['file\texpected\tpost\trelevant\nx.jpg\tapprove\tSchooners\tmaybe', /relevant must be yes or no/],
    ['file\texpected\tpost\trelevant\nx.jpg\tapprove\tSchooners\t', /needs both post and relevant/],
    ['file\texpected\tpost\trelevant\nx.jpg\tapprove\tA\tyes\nx.jpg\tapprove\tA\tno', /listed twice for the post "A"/],
  ] as const) {
    it(`refuses a bad labels file by name (${pattern})`, () => {
      expect(() => parseLabels(text, '/tmp/l.tsv')).to.throw(InvalidInput, pattern);
    });
  }
});

const mk = (
  file: string,
  expected: EvalCase['expected'],
  decision: EvalCase['decision'],
  reasons: EvalCase['reasons'],
  category?: EvalCase['category'],
): EvalCase => ({
  file,
  path: `/x/${file}`,
  expected,
  decision,
  reasons,
  ...(category ? { category } : {}),
});

describe('eval: scoring', () => {
  it('counts false flags, false rejects and recall, per category and per source, and names the files', () => {
    const s = score([
      mk('ok.jpg', 'approve', 'approve', [{ code: 'clean', message: 'clean' }]),
      mk('dog.jpg', 'approve', 'review', [{ code: 'category-review', source: 'local', category: 'Explicit', message: 'Explicit 55%' }]),
      mk('guitar.jpg', 'approve', 'reject', [{ code: 'category-reject', source: 'local', category: 'Explicit', message: 'Explicit 84%' }]),
      mk('abacus.jpg', 'approve', 'review', [{ code: 'category-review', source: 'classifier', category: 'Drugs & Tobacco', message: 'pill bottle' }]),
      mk('beer.jpg', 'flag', 'review', [{ code: 'category-review', source: 'classifier', category: 'Alcohol', message: 'beer' }], 'Alcohol'),
      mk('rifle.jpg', 'flag', 'approve', [{ code: 'clean', message: 'clean' }], 'Violence'),
      mk('tank.jpg', 'either', 'review', [{ code: 'category-review', source: 'classifier', category: 'Violence', message: 'tank' }]),
    ]);
    expect(s).to.include({ images: 7, benign: 4, falseFlags: 3, falseRejects: 1, sensitive: 2, caught: 1, recall: 0.5, falseFlagRate: 0.75 });
    expect(s.either).to.deep.equal({ count: 1, flagged: 1, rejected: 0 });
    expect(s.byCategory.Explicit).to.deep.include({ falseFlags: 2, falseRejects: 1, sensitive: 0 });
    expect(s.byCategory.Alcohol).to.deep.include({ sensitive: 1, caught: 1, caughtInCategory: 1 });
    expect(s.byCategory.Violence).to.deep.include({ sensitive: 1, caught: 0 });
    expect(s.bySource.safety).to.deep.equal({ falseFlags: 2, falseRejects: 1, caught: 0 });
    expect(s.bySource.classifier).to.deep.equal({ falseFlags: 1, falseRejects: 0, caught: 1 });
    expect(s.offenders.falseRejects.map((o) => o.file)).to.deep.equal(['guitar.jpg']);
    expect(s.offenders.missed.map((o) => o.file)).to.deep.equal(['rifle.jpg']);
  });
});

describe('eval: operating-point sweep', () => {
  const beer = { label: 'beer bottle', wnid: 'n02823428', score: 0.35 };
  const abacus = { label: 'pill bottle', wnid: 'n03937543', score: 0.25 };
  const cases: SweepCase[] = [
    { file: 'beer.jpg', path: '/x/beer.jpg', expected: 'flag', category: 'Alcohol', input: { classification: [beer], safety: [] } },
    { file: 'abacus.jpg', path: '/x/abacus.jpg', expected: 'approve', input: { classification: [abacus], safety: [] } },
    { file: 'dog.jpg', path: '/x/dog.jpg', expected: 'approve', input: { classification: [], safety: [{ name: 'Explicit', parentName: '', confidence: 62 }] } },
  ];

  it('re-decides with decide(): each threshold gives the false flags and recall the workflow would give', () => {
    const curves = sweep(cases, DEFAULT_POLICY);
    const alcohol = curves.find((c) => c.category === 'Alcohol' && c.source === 'classifier')!;
    expect(alcohol.current).to.equal(DEFAULT_POLICY.classifier.Alcohol.review);
    expect(alcohol.points.find((p) => p.threshold === 35)!.categoryRecall).to.equal(1);
    expect(alcohol.points.find((p) => p.threshold === 40)!.categoryRecall).to.equal(0);
    const drugs = curves.find((c) => c.category === 'Drugs & Tobacco' && c.source === 'classifier')!;
    // At 20 the abacus and the dog are flagged; at 30 only the dog (the safety engine's Explicit 62).
    expect(drugs.points.find((p) => p.threshold === 20)!.falseFlags).to.equal(2);
    expect(drugs.points.find((p) => p.threshold === 30)!.falseFlags).to.equal(1);
    const explicit = curves.find((c) => c.category === 'Explicit' && c.source === 'safety')!;
    expect(explicit.points.find((p) => p.threshold === 65)!.falseFlags).to.equal(1);
    // The current point equals the plain decision.
    const now = cases.filter((c) => c.expected === 'approve' && decide(c.input, DEFAULT_POLICY).decision !== 'approve').length;
    expect(explicit.points.find((p) => p.threshold === explicit.current)!.falseFlags).to.equal(now);
    const svg = sweepSvg(curves);
    expect(svg).to.match(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline/g)).to.have.length(curves.length);
    expect(svg).to.include('Drugs &amp; Tobacco');
  });
});
