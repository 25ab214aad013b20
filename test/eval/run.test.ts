import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../eval/run.js';
import { captureIo, photosDir } from '../workflow/fixtures.js';

describe('npm run eval (the real local workflow on real photos)', function () {
  this.timeout(600_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eval-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('moderates every listed photo and writes report.json, sweep.svg and report.html; --json prints the same report', async () => {
    // Paths are relative to the labels file.
    const labels = path.join(dir, 'labels.tsv');
    const rel = (f: string) => path.relative(dir, path.join(photosDir, f));
    await writeFile(
      labels,
      [
        'file\texpected\tcategory',
        `${rel('n02391049_zebra.JPEG')}\tapprove\t`,
        `${rel('n04243546_slot.JPEG')}\tflag\tGambling`,
        `${rel('n01440764_tench.JPEG')}\tapprove\t`,
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const io = captureIo({ ...process.env });
    const code = await main([labels, '--json', '--out', out, '--staging-dir', path.join(dir, 'staging'), '--concurrency', '2'], io);
    expect(code, io.err()).to.equal(0);
    const printed = JSON.parse(io.out());
    const written = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(printed).to.deep.equal(written);
    expect(printed).to.include({ images: 3, benign: 2, sensitive: 1 });
    for (const k of ['falseFlags', 'falseRejects', 'caught', 'byCategory', 'bySource', 'sweep', 'offenders']) expect(printed).to.have.property(k);
    // The slot machine is caught by the classifier's own evidence (Gambling), the zebra and tench are approved.
    expect(printed.caught).to.equal(1);
    expect(printed.byCategory.Gambling).to.deep.include({ sensitive: 1, caught: 1, caughtInCategory: 1 });
    expect(printed.falseFlags).to.equal(0);
    expect(printed.models.safety.name).to.match(/^nsfwjs/);
    const gambling = printed.sweep.find((c: { category: string; source: string }) => c.category === 'Gambling' && c.source === 'classifier');
    expect(gambling.points.at(-1).categoryRecall).to.be.lessThan(1);
    expect(await readFile(path.join(out, 'sweep.svg'), 'utf8')).to.match(/^<svg/);
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).to.include('<h2>Operating points</h2>');
  });

  it('with post and relevant columns: moderates each photo once and reports relevance AUC, pick@1 and every row in report.json', async () => {
    const labels = path.join(dir, 'posts.tsv');
    const rel = (f: string) => path.relative(dir, path.join(photosDir, f));
    const [zebra, tench, slot] = ['n02391049_zebra.JPEG', 'n01440764_tench.JPEG', 'n04243546_slot.JPEG'].map(rel);
    const zebras = 'Zebras crossing the savanna';
    const fishing = 'Fishing for tench in an English pond';
    await writeFile(
      labels,
      [
        'file\texpected\tcategory\tpost\trelevant\tstyle',
        `${zebra}\tapprove\t\t${zebras}\tyes\tsubject`,
        `${tench}\tapprove\t\t${zebras}\tno\tsubject`,
        `${slot}\tflag\tGambling\t${zebras}\tno\tsubject`,
        `${tench}\tapprove\t\t${fishing}\tyes\tsubject`,
        `${zebra}\tapprove\t\t${fishing}\tno\tsubject`,
      ].join('\n'),
    );
    const out = path.join(dir, 'posts-out');
    const io = captureIo({ ...process.env });
    const code = await main([labels, '--json', '--out', out, '--staging-dir', path.join(dir, 'staging'), '--concurrency', '2'], io);
    expect(code, io.err()).to.equal(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.images).to.equal(3);
    expect(report.relevance).to.include({ rows: 5, posts: 2, pickAt1: 1, auc: 1 });
    expect(report.relevance.byStyle.subject).to.include({ posts: 2, pickAt1: 1 });
    expect(report.relevance.cases).to.have.length(5);
    const own = report.relevance.cases.find((c: { file: string; post: string }) => c.file === zebra && c.post === zebras);
    expect(own).to.include({ relevant: true, style: 'subject' });
    expect(own.score).to.be.above(0.3);
  });

  it('exits 2 naming a listed photo that does not exist, before loading any model', async () => {
    const labels = path.join(dir, 'missing.tsv');
    await writeFile(labels, 'file\texpected\tcategory\nno-such-photo.jpg\tapprove\t\n');
    const io = captureIo();
    const code = await main([labels], io, async () => {
      throw new Error('must not build the workflow');
    });
    expect(code).to.equal(2);
    expect(io.err()).to.match(/missing\.tsv:2: no-such-photo\.jpg does not exist/);
  });

  it('exits 2 naming a missing labels file, before loading any model', async () => {
    const io = captureIo();
    const code = await main([path.join(dir, 'nope.tsv')], io, async () => {
      throw new Error('must not build the workflow');
    });
    expect(code).to.equal(2);
    expect(io.err()).to.match(/cannot read the labels file .*nope\.tsv/);
  });
});
