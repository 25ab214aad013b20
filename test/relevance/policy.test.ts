/**
 * The policy's relevance section: off by default (relevance reported, never enforced, the ruleset as
 * before), validated by name, and with a band set an off-topic photo is held for review with a reason
 * of source `relevance` while an on-topic one is approved. Real photos, real models, the real local
 * engine and SQLite store.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_POLICY, parsePolicy } from '../../functions/aggregate/policy.js';
import { holdOffTopic, OFF_TOPIC_REASON } from '../../functions/aggregate/relevance-policy.js';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { rulesetOf } from '../../functions/shared/verdict-store/ruleset.js';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { photo } from '../workflow/fixtures.js';

const model = { name: 'm', sha256: 'a'.repeat(64) };
const rulesetFor = (policy: unknown) => rulesetOf({ classifier: model, safety: { engine: 'local', model }, policy });

describe('relevance policy', () => {
  it('is off by default, so the default ruleset is unchanged; a band is validated by name', () => {
    expect(DEFAULT_POLICY).not.to.have.property('relevance');
    expect(parsePolicy('{"relevance":{}}')).not.to.have.property('relevance');
    const { relevance: _none, ...withoutSection } = parsePolicy(undefined);
    expect(rulesetFor(parsePolicy(undefined))).to.equal(rulesetFor(withoutSection));
    const on = parsePolicy('{"relevance":{"holdBelow":0.2}}');
    expect(on.relevance).to.deep.equal({ holdBelow: 0.2 });
    expect(rulesetFor(on), 'a band moderates known photos again').not.to.equal(rulesetFor(parsePolicy(undefined)));
    expect(() => parsePolicy('{"relevance":{"holdBelow":1.5}}')).to.throw(ConfigError, /relevance\.holdBelow/);
    expect(() => parsePolicy('{"relevance":{"holdbelow":0.2}}')).to.throw(ConfigError, /holdbelow/);
    expect(() => parsePolicy('{"relevance":{"holdBelow":"0.2"}}')).to.throw(ConfigError, /relevance\.holdBelow/);
  });

  it('never approves what it holds, leaves a rejection and a verdict without labels alone', () => {
    const base: Verdict = {
      decision: 'approve',
      reasons: [{ code: 'clean', message: 'No moderation category reached its review threshold.' }],
      seoTags: [],
      altText: '',
      labels: [{ label: 'zebra', wnid: 'n02391049', score: 0.9 }],
      moderation: [],
      relevance: { score: 0.05, matches: [], engine: 'e', explanation: 'Nothing in the post matches zebra.' },
    };
    const held = holdOffTopic(base, { holdBelow: 0.2 });
    expect(held.decision).to.equal('review');
    expect(held.reasons.map((r) => r.code)).to.deep.equal([OFF_TOPIC_REASON, 'clean']);
    expect(held.reasons[0]).to.include({ source: 'relevance' });
    expect(held.reasons[0].message).to.equal('Off-topic for the post: relevance 0.05, review below 0.20 (Nothing in the post matches zebra).');
    expect(holdOffTopic(base, { holdBelow: 0.05 }).decision, 'at the band: not held').to.equal('approve');
    expect(holdOffTopic(base, undefined)).to.equal(base);
    expect(holdOffTopic({ ...base, decision: 'reject' }, { holdBelow: 0.2 }).decision).to.equal('reject');
    expect(holdOffTopic({ ...base, labels: [] }, { holdBelow: 0.2 })).to.deep.equal({ ...base, labels: [] });
    const { relevance: _r, ...noPost } = base;
    expect(holdOffTopic(noPost, { holdBelow: 0.2 }).decision, 'no post, nothing to be off-topic for').to.equal('approve');
  });
});

describe('relevance policy in the workflow (real models, engine, store)', function () {
  this.timeout(180_000);
  let tmp: string;
  const open: LocalWorkflow[] = [];
  const workflow = async (policy?: string) => {
    const w = await createLocalWorkflow({
      stagingDir: path.join(tmp, 'staging'),
      dataDir: path.join(tmp, `data-${open.length}`),
      safetyEngine: 'local',
      env: { ...process.env, MODERATION_POLICY: policy ?? '' },
    });
    open.push(w);
    return w;
  };
  before(async () => (tmp = await mkdtemp(path.join(tmpdir(), 'relevance-policy-'))));
  after(async () => {
    for (const w of open) await w.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('holds an off-topic photo for review only when the policy says so; an on-topic one is approved', async () => {
    const zebra = photo('n02391049_zebra.JPEG');
    const squash = { title: 'Autumn squash recipes for a cosy weekend' };
    const byDefault = await (await workflow()).run({ imageUrl: zebra, post: squash });
    expect(byDefault.verdict.decision, 'reported, not enforced').to.equal('approve');
    expect(byDefault.verdict.relevance!.score).to.be.below(0.2);

    const strict = await workflow('{"relevance":{"holdBelow":0.2}}');
    const off = await strict.run({ imageUrl: zebra, post: squash, postId: 'squash' });
    expect(off.verdict.decision).to.equal('review');
    expect(off.status).to.equal('NeedsReview');
    const reason = off.verdict.reasons.find((r) => r.code === OFF_TOPIC_REASON);
    expect(reason).to.include({ source: 'relevance' });
    expect(reason!.message).to.match(/^Off-topic for the post: relevance 0\.\d\d, review below 0\.20/);
    expect(
      off.verdict.reasons.some((r) => r.source !== 'relevance' && r.code !== 'clean'),
      'nothing else held it',
    ).to.equal(false);
    // It waits for a person like any other hold.
    expect((await strict.verdicts.listReviews({ status: 'pending' })).map((i) => i.sha256)).to.include(off.verdict.image!.sha256);

    const on = await strict.run({ imageUrl: photo('n01440764_tench.JPEG'), post: { title: 'Fishing for tench in an English pond' } });
    expect(on.verdict.relevance!.score).to.be.at.least(0.2);
    expect(on.verdict.decision).to.equal('approve');
  });
});
