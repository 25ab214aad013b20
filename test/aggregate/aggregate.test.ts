import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { altText } from '../../functions/aggregate/alt-text.js';
import { IMAGENET_MODERATION } from '../../functions/aggregate/categories.js';
import { decide } from '../../functions/aggregate/decide.js';
import { createAggregateHandler } from '../../functions/aggregate/handler.js';
import { DEFAULT_POLICY, parsePolicy, policyFromEnv } from '../../functions/aggregate/policy.js';
import { seoTags, slug } from '../../functions/aggregate/tags.js';
import { taxonomyOf, taxonomySize } from '../../functions/aggregate/taxonomy.js';
import type { ClassLabel } from '../../functions/shared/contracts/index.js';
import { ConfigError, InvalidInput } from '../../functions/shared/errors.js';
import { categoryOf } from '../../functions/aggregate/moderation-taxonomy.js';
import { sharedDir } from '../workflow/fixtures.js';

const L = (label: string, wnid: string, score: number): ClassLabel => ({ label, wnid, score });
const tabby = [
  L('tabby', 'n02123045', 0.62),
  L('tiger cat', 'n02123159', 0.2),
  L('Egyptian cat', 'n02124075', 0.1),
  L('lynx', 'n02127052', 0.01),
  L('window screen', 'n04589890', 0.005),
];
const beer = [
  L('beer bottle', 'n02823428', 0.35),
  L('pop bottle', 'n03983396', 0.3),
  L('water bottle', 'n04557648', 0.1),
  L('wine bottle', 'n04591713', 0.05),
  L('beer glass', 'n02823750', 0.02),
];
const model = { name: 'mobilenetv2-12-int8', sha256: 'a'.repeat(64) };

describe('aggregate/taxonomy and tags', () => {
  it('covers all 1000 ImageNet classes of the synset list, with WordNet hypernym chains', async () => {
    const synset = await readFile(path.join(sharedDir, 'models/mobilenetv2-12-int8/labels.txt'), 'utf8');
    const wnids = synset
      .split('\n')
      .map((l) => l.slice(0, 9))
      .filter((w) => /^n\d{8}$/.test(w));
    expect(wnids).to.have.length(1000);
    expect(taxonomySize()).to.equal(1000);
    for (const w of wnids) expect(taxonomyOf(w), w).to.exist;
    expect(taxonomyOf('n02123045')!.hypernyms.slice(0, 4)).to.deep.equal(['domestic cat', 'cat', 'feline', 'carnivore']);
  });

  it('gives lower-case slugs, most specific first, deduped, at most 10', () => {
    const tags = seoTags(tabby);
    expect(tags.slice(0, 4)).to.deep.equal(['tabby', 'tiger-cat', 'egyptian-cat', 'tabby-cat']);
    expect(tags).to.include.members(['cat', 'feline']);
    expect(tags.indexOf('tabby')).to.be.below(tags.indexOf('cat'));
    expect(tags.length).to.be.at.most(10);
    expect(new Set(tags).size).to.equal(tags.length);
    for (const t of tags) expect(t).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(tags).not.to.include('lynx'); // 1%: a guess, not a tag
    expect(slug("Jack-o'-lantern")).to.equal('jack-o-lantern');
    expect(slug('Café au lait')).to.equal('cafe-au-lait');
  });

  it('writes alt text that is sure only when the model is', () => {
    expect(altText([L('zebra', 'n02391049', 0.97)])).to.equal('A photo of a zebra.');
    expect(altText(tabby)).to.equal('A photo of a tabby.');
    expect(altText([L('schooner', 'n04147183', 0.36), L('pirate', 'n03947888', 0.31)])).to.equal('A photo of what looks like a schooner, possibly a pirate.');
    expect(altText([L('unicycle', 'n04509417', 0.2)])).to.equal('A photo that may show a unicycle.');
    expect(altText([L('otter', 'n02444819', 0.9)])).to.equal('A photo of an otter.');
  });
});

describe('aggregate/categories', () => {
  it('every mapped wnid is the ImageNet class it claims to be, in a top-level category', async () => {
    const synset = await readFile(path.join(sharedDir, 'models/mobilenetv2-12-int8/labels.txt'), 'utf8');
    const names = new Map(synset.split('\n').map((l) => [l.slice(0, 9), l.slice(10).split(',')[0].trim()]));
    for (const [wnid, m] of Object.entries(IMAGENET_MODERATION)) {
      expect(names.get(wnid), wnid).to.equal(m.imagenet);
      expect(categoryOf({ name: m.label, parentName: m.category, confidence: 1 })).to.equal(m.category);
    }
  });

  it('lifts Rekognition labels of any level to their top-level category', () => {
    expect(categoryOf({ name: 'Exposed Male Genitalia', parentName: 'Explicit Nudity', confidence: 90 })).to.equal('Explicit');
    expect(categoryOf({ name: 'Weapons', parentName: 'Violence', confidence: 90 })).to.equal('Violence');
    expect(categoryOf({ name: 'Alcohol', parentName: '', confidence: 90 })).to.equal('Alcohol');
    expect(categoryOf({ name: 'Something New', parentName: '', confidence: 90 })).to.equal(undefined);
  });
});

describe('aggregate/decide', () => {
  it('approves a clean image with a reason', () => {
    const d = decide({ classification: tabby, safety: [], safetyEngine: 'local' }, DEFAULT_POLICY);
    expect(d.decision).to.equal('approve');
    expect(d.reasons.map((r) => r.code)).to.deep.equal(['clean']);
  });

  it('sends classifier evidence to review, summing related classes, and names label and threshold', () => {
    const d = decide({ classification: beer, safety: [] }, DEFAULT_POLICY);
    expect(d.decision).to.equal('review');
    expect(d.reasons[0]).to.include({ code: 'category-review', category: 'Alcohol', label: 'beer bottle', threshold: 20 });
    expect(d.reasons[0].confidence).to.be.closeTo(42, 0.01);
  });

  it('rejects explicit content only above the reject band; reviews in between', () => {
    const at = (confidence: number) =>
      decide({ classification: tabby, safety: [{ name: 'Explicit Nudity', parentName: 'Explicit', confidence }] }, DEFAULT_POLICY);
    expect(at(95).decision).to.equal('reject');
    expect(at(95).reasons[0]).to.include({ code: 'category-reject', category: 'Explicit', threshold: 90 });
    expect(at(85).decision).to.equal('review');
    expect(at(60).decision).to.equal('review');
    expect(at(30).decision).to.equal('approve');
    const swim = decide(
      { classification: tabby, safety: [{ name: 'Female Swimwear or Underwear', parentName: 'Swimwear or Underwear', confidence: 98.5 }] },
      DEFAULT_POLICY,
    );
    expect(swim.decision).to.equal('review');
    expect(swim.reasons[0]).to.include({ category: 'Swimwear or Underwear' });
  });

  it('fails closed: missing safety or classification reviews, a step error never approves', () => {
    expect(decide({ classification: tabby }, DEFAULT_POLICY)).to.deep.include({ decision: 'review' });
    expect(decide({ classification: tabby }, DEFAULT_POLICY).reasons[0].code).to.equal('safety-missing');
    expect(decide({ safety: [] }, DEFAULT_POLICY).reasons[0].code).to.equal('classification-missing');
    const blocked = decide(
      { error: { Error: 'FetchBlocked', Cause: JSON.stringify({ errorType: 'FetchBlocked', errorMessage: 'Refusing 169.254.169.254' }), state: 'FetchImage' } },
      DEFAULT_POLICY,
    );
    expect(blocked.decision).to.equal('reject');
    expect(blocked.reasons[0]).to.include({ code: 'step-failed', error: 'FetchBlocked' });
    expect(blocked.reasons[0].message).to.match(/Refusing 169\.254\.169\.254.*FetchImage|FetchImage.*Refusing 169\.254\.169\.254/);
    for (const name of ['States.Timeout', 'Lambda.ServiceException', 'ModelIntegrityError', 'States.TaskFailed', 'FetchTimeout']) {
      expect(decide({ classification: tabby, safety: [], error: { Error: name, Cause: 'x' } }, DEFAULT_POLICY).decision, name).to.equal('review');
    }
  });
});

describe('aggregate/policy', () => {
  it('merges partial overrides onto the defaults', () => {
    const p = parsePolicy(JSON.stringify({ safety: { Alcohol: { review: 90, reject: 99 } }, classifier: { Gambling: { review: 50 } } }));
    expect(p.safety.Alcohol).to.deep.equal({ review: 90, reject: 99 });
    expect(p.classifier.Gambling).to.deep.equal({ review: 50 });
    expect(p.safety.Explicit).to.deep.equal(DEFAULT_POLICY.safety.Explicit);
    expect(policyFromEnv({})).to.equal(DEFAULT_POLICY);
  });

  it('refuses bad policies with the offending key', () => {
    expect(() => parsePolicy('{oops')).to.throw(ConfigError, /MODERATION_POLICY is not valid JSON/);
    expect(() => parsePolicy(JSON.stringify({ safety: { Alcohool: { review: 50 } } }))).to.throw(ConfigError, /Alcohool/);
    expect(() => parsePolicy(JSON.stringify({ safety: { Explicit: { review: 90, reject: 50 } } }))).to.throw(
      ConfigError,
      /MODERATION_POLICY\.safety\.Explicit.*review must not be above reject/,
    );
    expect(() => parsePolicy(JSON.stringify({ classifier: { Violence: { review: 150 } } }))).to.throw(ConfigError, /classifier\.Violence\.review/);
    expect(() => parsePolicy(JSON.stringify({ thresholds: {} }))).to.throw(ConfigError, /thresholds/);
  });
});

describe('aggregate/handler', () => {
  const handler = createAggregateHandler({ policy: DEFAULT_POLICY });
  const image = { uri: 'file:///x', key: 'staging/ab/x.jpeg', sha256: 'b'.repeat(64), bytes: 10, format: 'jpeg' as const, width: 10, height: 10 };

  it('normalises raw Rekognition output from the direct SDK integration', async () => {
    const v = await handler({
      input: { imageUrl: 'https://example.com/a.jpg', postId: 'p1' },
      image,
      classification: { labels: tabby, model },
      safety: {
        engine: 'rekognition',
        raw: [
          { Name: 'Explicit', ParentName: '', Confidence: 97.2, TaxonomyLevel: 1 },
          { Name: 'Exposed Female Nipple', ParentName: 'Explicit Nudity', Confidence: 97.2, TaxonomyLevel: 3 },
        ],
      },
    });
    expect(v.decision).to.equal('reject');
    expect(v.moderation).to.deep.include({ name: 'Explicit', parentName: '', confidence: 97.2 });
    expect(v).to.include({ postId: 'p1' });
    expect(v.model).to.deep.equal(model);
    expect(v.seoTags[0]).to.equal('tabby');
  });

  it('produces a valid verdict on the fail-safe path, with no image or results at all', async () => {
    const v = await handler({ input: { imageUrl: 'http://169.254.169.254/' }, error: { Error: 'FetchBlocked', Cause: 'Refusing', state: 'FetchImage' } });
    expect(v).to.deep.include({ decision: 'reject', seoTags: [], labels: [], moderation: [] });
    expect(v.altText).to.be.a('string').and.not.be.empty;
    const odd = await handler({ input: {}, error: { Error: 'InvalidInput', Cause: 'imageUrl missing' } });
    expect(odd.decision).to.equal('review');
  });

  it('refuses an input that is not an aggregate event', async () => {
    try {
      await handler({ nope: true });
      expect.fail('expected InvalidInput');
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidInput);
    }
  });
});
