/**
 * The quality section of the policy and what it does to a verdict: overrides merge by name and bad
 * values are refused; a quality issue holds for review (never approves, never rejects unless the policy
 * says that kind may); eval counts quality holds apart from safety ones. Measures come from real photos.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { parsePolicy } from '../../functions/aggregate/policy.js';
import { buildVerdict } from '../../functions/aggregate/verdict.js';
import type { AggregateInput, QualityMeasures } from '../../functions/shared/contracts/index.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { DEFAULT_LIMITS } from '../../functions/shared/limits.js';
import { decodeView } from '../../functions/shared/pixels/view.js';
import { sharedDir } from '../../functions/shared/project.js';
import { readQuantTables } from '../../functions/shared/quality/jpeg-quality.js';
import { measureQuality } from '../../functions/shared/quality/measure.js';
import { parseLabels } from '../../eval/labels.js';
import { scoreQuality, sweepQuality } from '../../eval/quality-score.js';

async function measuresOf(bytes: Buffer): Promise<QualityMeasures> {
  const meta = await sharp(bytes).metadata();
  return measureQuality(await decodeView(bytes, DEFAULT_LIMITS), { width: meta.width, height: meta.height, format: meta.format }, readQuantTables(bytes));
}
const zebra = () => readFile(path.join(sharedDir(), 'images/imagenet-sample/n02391049_zebra.JPEG'));

function event(quality: QualityMeasures): AggregateInput {
  return {
    input: { imageUrl: 'file:///x.jpg' },
    image: { uri: 'file:///x', key: 'x', sha256: 'a'.repeat(64), bytes: 1, format: 'jpeg', width: quality.width, height: quality.height, quality },
    classification: {
      labels: [{ label: 'zebra', wnid: 'n02391049', score: 0.99 }],
      model: { name: 'm', sha256: 'b'.repeat(64) },
    },
    safety: { engine: 'local', labels: [] } as unknown as AggregateInput['safety'],
  };
}

describe('quality policy and verdict', () => {
  it('merges a quality override and refuses unknown measures and kinds by name', () => {
    const p = parsePolicy('{"quality":{"review":{"sharpness":0.5},"minLongSide":1200,"reject":["too-small"]}}');
    expect(p.quality.review.sharpness).to.equal(0.5);
    expect(p.quality.review.noise).to.equal(parsePolicy(undefined).quality.review.noise);
    expect(p.quality.minLongSide).to.equal(1200);
    expect(p.quality.reject).to.deep.equal(['too-small']);
    expect(() => parsePolicy('{"quality":{"review":{"sharpnes":0.5}}}')).to.throw(ConfigError, /sharpnes/);
    expect(() => parsePolicy('{"quality":{"reject":["ugly"]}}')).to.throw(ConfigError, /reject/);
  });

  it('holds a blurred safe photo for review with a quality reason, keeps the image block free of measures', async () => {
    const m = await measuresOf(
      await sharp(await zebra())
        .blur(4)
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const v = buildVerdict(event(m), parsePolicy(undefined));
    expect(v.decision).to.equal('review');
    expect(v.reasons.find((r) => r.source === 'quality')).to.include({ code: 'quality-review', kind: 'blur' });
    expect(v.quality!.score).to.be.below(50);
    expect(v.image).not.to.have.property('quality');
    // The same photo unblurred is approved with a clean reason and no issue.
    const clean = buildVerdict(event(await measuresOf(await zebra())), parsePolicy(undefined));
    expect(clean.decision).to.equal('approve');
    expect(clean.quality!.issues).to.deep.equal([]);
  });

  it('rejects on quality only for the kinds the policy names', async () => {
    const tiny = await measuresOf(
      await sharp(await zebra())
        .resize(20, 20)
        .png()
        .toBuffer(),
    );
    expect(buildVerdict(event(tiny), parsePolicy(undefined)).decision).to.equal('review');
    const v = buildVerdict(event(tiny), parsePolicy('{"quality":{"reject":["too-small"]}}'));
    expect(v.decision).to.equal('reject');
    expect(v.reasons.map((r) => r.code)).to.include('quality-reject');
  });

  it('eval: quality false flags among ok photos, catches among low ones, and a sweep per band', async () => {
    const labels = parseLabels('file\texpected\tcategory\tquality\na.jpg\tapprove\t\tok\nb.jpg\tapprove\t\tlow\nc.jpg\tapprove\t\t\n', '/tmp/l.tsv');
    expect(labels.map((l) => l.quality)).to.deep.equal(['ok', 'low', undefined]);
    expect(() => parseLabels('file\texpected\tquality\na.jpg\tapprove\tbad\n', '/tmp/l.tsv')).to.throw(/quality must be ok or low/);
    const sharpM = await measuresOf(await zebra());
    const blurM = await measuresOf(
      await sharp(await zebra())
        .blur(4)
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const cases = [
      { ...labels[0], measures: blurM },
      { ...labels[1], measures: blurM },
      { ...labels[2], measures: sharpM },
    ];
    const policy = parsePolicy(undefined).quality;
    const s = scoreQuality(cases, policy);
    expect(s).to.include({ ok: 2, falseFlags: 1, low: 1, caught: 1 });
    expect(s.byKind.blur).to.deep.equal({ falseFlags: 1, caught: 1 });
    const curve = sweepQuality(cases, policy).find((c) => c.measure === 'sharpness')!;
    // Stricter (higher) sharpness bands hold at least as many photos; below the blurred photo's value none.
    for (let i = 1; i < curve.points.length; i++) expect(curve.points[i].falseFlags).to.be.at.least(curve.points[i - 1].falseFlags);
    for (const p of curve.points.filter((x) => x.threshold <= blurM.sharpness!)) expect(p.falseFlags).to.equal(0);
    expect(curve.points.find((p) => p.threshold === policy.review.sharpness)!.falseFlags).to.equal(1);
  });
});
