import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import indexJson from '../../models/wordnet-relevance.json' with { type: 'json' };
import { relevanceIndex } from '../../functions/shared/relevance/index-data.js';
import { DEFAULT_PARAMS, preparePost, scoreRelevance, type LabelInput } from '../../functions/shared/relevance/score.js';
import { lemmasOf, postTerms } from '../../functions/shared/relevance/terms.js';
import { rankCandidates } from '../../functions/shared/relevance/rank.js';
import { auc, picks, summariseRelevance } from '../../eval/relevance.js';

const L = (label: string, wnid: string, score: number): LabelInput => ({ label, wnid, score });
// Top-5 shapes as the classifier reports them (ImageNet wnids, probabilities best first).
const schooner = [L('schooner', 'n04147183', 0.7), L('yawl', 'n04612504', 0.2), L('pirate', 'n03947888', 0.05), L('catamaran', 'n02981792', 0.02)];
const squash = [L('spaghetti squash', 'n07716906', 0.8), L('butternut squash', 'n07717556', 0.1), L('cucumber', 'n07718472', 0.03)];
const tabby = [L('tabby', 'n02123045', 0.62), L('tiger cat', 'n02123159', 0.2), L('Egyptian cat', 'n02124075', 0.1)];
const index = relevanceIndex();

describe('relevance: post words as WordNet terms', () => {
  it('lemmatises with morphy: exception lists, then suffix rules checked against known lemmas', () => {
    expect(lemmasOf('geese', index)).to.include('goose');
    expect(lemmasOf('ships', index)).to.include('ship');
    expect(lemmasOf('sailing', index)).to.include.members(['sailing', 'sail']);
    expect(lemmasOf('mice', index)).to.include('mouse');
    expect(lemmasOf('qwertyz', index)).to.deep.equal([]);
  });

  it('joins the longest WordNet collocation, lemmatising its last word, and drops function words', () => {
    const terms = postTerms({ title: 'The geese and ice lollies of sailing ships', keywords: ['Go-Kart'] }, index);
    expect(terms.map((t) => t.text)).to.deep.equal(['geese', 'ice lollies', 'sailing ships', 'go-kart']);
    expect(terms.find((t) => t.text === 'sailing ships')!.lemmas).to.deep.equal(['sailing ship']);
    expect(terms.find((t) => t.text === 'ice lollies')!.lemmas).to.deep.equal(['ice lolly']);
  });

  it('counts body text below the title, and a term met twice once', () => {
    const terms = postTerms({ title: 'Schooner days', text: 'A schooner and a yawl.' }, index);
    expect(terms.find((t) => t.text === 'schooner')!.weight).to.equal(1);
    expect(terms.find((t) => t.text === 'yawl')!.weight).to.be.below(1);
    expect(terms.filter((t) => t.text === 'schooner')).to.have.length(1);
  });
});

describe('relevance: scoring labels against a post', () => {
  it('explains a hypernym match in words', () => {
    const r = scoreRelevance(schooner, { title: 'Sailing ships of the Atlantic coast' }, index);
    expect(r.matches[0]).to.include({ term: 'sailing ships', label: 'schooner', via: 'hypernym' });
    expect(r.matches[0].why).to.equal("'sailing ships' matches schooner (a schooner is a sailing vessel)");
    expect(r.explanation).to.contain("'sailing ships' matches schooner");
    expect(r.engine).to.match(/^wordnet-3\.0-lin\/[0-9a-f]{8}$/);
  });

  it('scores posts naming the subject or its category well above an off-topic one', () => {
    const subject = scoreRelevance(schooner, { title: 'Restoring a wooden schooner plank by plank' }, index);
    const category = scoreRelevance(schooner, { title: 'Sailing ships of the Atlantic coast' }, index);
    const off = scoreRelevance(schooner, { title: 'Autumn squash recipes for a cosy weekend' }, index);
    expect(subject.matches[0]).to.include({ term: 'schooner', via: 'name' });
    expect(subject.score).to.be.above(0.4);
    expect(category.score).to.be.above(0.4);
    expect(off.score).to.equal(0);
    expect(off.explanation).to.equal('Nothing in the post matches schooner.');
  });

  it('ranks the right image for each post', () => {
    for (const [title, best] of [
      ['Autumn squash recipes for a cosy weekend', squash],
      ['A week learning to crew under canvas', schooner],
      ['Living with an indoor cat', tabby],
    ] as const) {
      const scores = [schooner, squash, tabby].map((labels) => scoreRelevance(labels, { title }, index).score);
      expect(Math.max(...scores), title).to.equal(scores[[schooner, squash, tabby].indexOf(best)]);
      expect(
        scores.filter((s) => s === Math.max(...scores)),
        title,
      ).to.have.length(1);
    }
  });

  it('finds a part of the class through a rarer sense of the word ("canvas" as sail)', () => {
    const r = scoreRelevance(schooner, { title: 'A week learning to crew under canvas' }, index);
    expect(r.score).to.be.above(0);
    expect(r.matches.some((m) => m.term === 'canvas' && m.via === 'related' && /sail is part of/.test(m.why))).to.equal(true);
  });

  it('weights a label by its probability', () => {
    const sure = scoreRelevance([L('tabby', 'n02123045', 0.9), L('cucumber', 'n07718472', 0.05)], { title: 'Cats' }, index);
    const unsure = scoreRelevance([L('tabby', 'n02123045', 0.3), L('cucumber', 'n07718472', 0.6)], { title: 'Cats' }, index);
    expect(sure.score).to.be.above(unsure.score);
  });

  it('is a pure function of its inputs, and a prepared post scores the same', () => {
    const post = { title: 'Tall ships of the Atlantic coast', keywords: ['sailing'] };
    const a = scoreRelevance(schooner, post, index);
    expect(scoreRelevance(schooner, post, index)).to.deep.equal(a);
    expect(scoreRelevance(schooner, preparePost(post, index), index)).to.deep.equal(a);
    expect(scoreRelevance(schooner, post, index, { ...DEFAULT_PARAMS, related: 0, definition: 0, linFloor: 0.99 }).score).to.be.below(a.score);
  });

  it('says why when there is nothing to compare', () => {
    expect(scoreRelevance(schooner, { title: 'the and of' }, index)).to.include({ score: 0, explanation: 'No word of the post is in WordNet as a subject.' });
    expect(scoreRelevance([], { title: 'Schooner' }, index)).to.include({ score: 0, explanation: 'No classifier label to compare the post with.' });
    expect(scoreRelevance([L('unknown', 'n99999999', 1)], { title: 'Schooner' }, index).score).to.equal(0);
  });
});

describe('relevance: the committed WordNet index', () => {
  it('covers the 1000 ImageNet classes', () => {
    expect(index.classes.size).to.equal(1000);
    expect(index.classes.get('n04147183')!.gloss).to.equal('sailing vessel used in former times');
  });

  it('was generated from the WordNet installed here, when one is', function () {
    const dir = '/usr/share/wordnet';
    if (!existsSync(path.join(dir, 'data.noun'))) this.skip();
    for (const [file, sha] of Object.entries(indexJson.source.sha256))
      expect(
        createHash('sha256')
          .update(readFileSync(path.join(dir, file)))
          .digest('hex'),
        file,
      ).to.equal(sha);
  });
});

describe('relevance: AUC and pick@1', () => {
  const rows = [
    { file: 'a', post: 'p1', relevant: true, score: 0.9, style: 'subject' },
    { file: 'b', post: 'p1', relevant: false, score: 0.1, style: 'subject' },
    { file: 'a', post: 'p2', relevant: false, score: 0.5, style: 'implied' },
    { file: 'b', post: 'p2', relevant: true, score: 0.5, style: 'implied' },
  ];
  it('counts a tie with an irrelevant photo as a miss for pick@1 and half for AUC', () => {
    expect(picks(rows).map((p) => p.hit)).to.deep.equal([true, false]);
    expect(auc(rows)).to.equal((1 + 1 + 0.5 + 1) / 4);
    const s = summariseRelevance(rows);
    expect(s).to.include({ posts: 2, pickAt1: 0.5 });
    expect(s.byStyle.subject.pickAt1).to.equal(1);
    expect(s.byStyle.implied.pickAt1).to.equal(0);
  });
});

describe('relevance: ranking candidates for a post', () => {
  const v = (decision: 'approve' | 'review' | 'reject', labels: LabelInput[], quality?: number) => ({
    decision,
    labels,
    ...(quality !== undefined ? { quality: { score: quality } } : {}),
  });
  it('puts approved before held before rejected, then the more relevant, then the better quality', () => {
    const ranked = rankCandidates(
      { title: 'Restoring a wooden schooner plank by plank' },
      [
        { id: 'squash', verdict: v('approve', squash) },
        { id: 'schooner-held', verdict: v('review', schooner) },
        { id: 'schooner-low', verdict: v('approve', schooner, 0.4) },
        { id: 'schooner-high', verdict: v('approve', schooner, 0.9) },
        { id: 'cat-rejected', verdict: v('reject', tabby) },
      ],
      index,
    );
    expect(ranked.map((r) => r.id)).to.deep.equal(['schooner-high', 'schooner-low', 'squash', 'schooner-held', 'cat-rejected']);
    expect(ranked.map((r) => r.rank)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(ranked[0].why).to.match(/^approved; relevance 0\.\d\d: 'schooner' names schooner.*; quality 0\.90 \(breaks the relevance tie\)$/);
    expect(ranked[3].why).to.match(/^held for review; relevance/);
  });
});
