import { expect } from 'chai';
import { FAIL_SAFE_STATE_NAMES, STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { PERMANENT_ERRORS, TRANSIENT_LAMBDA_ERRORS } from '../../functions/shared/errors.js';
import type { AslDefinition, MapState, ParallelState, TaskState } from '../../workflows/asl.js';
import { walkStates } from '../../workflows/asl.js';
import { buildDefinition, LAMBDA_INVOKE, REKOGNITION_MODERATION, REKOGNITION_VIEW_STATE, type DefinitionRefs } from '../../workflows/definition.js';
import { assertValidDefinition, checkRules, reachableFrom, validateDefinition } from '../../workflows/validate.js';
import { InvalidDefinition } from '../../functions/shared/errors.js';

const localRefs: DefinitionRefs = {
  fetchImageFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:fetch-image',
  classifyFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:classify',
  aggregateFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:aggregate',
  safety: { engine: 'local', function: 'arn:aws:lambda:eu-west-1:123456789012:function:safety' },
  verdicts: {
    function: 'arn:aws:lambda:eu-west-1:123456789012:function:verdicts',
    ruleset: 'm@1+s@2+policy@3',
    review: { mode: 'wait', timeoutSeconds: 3600, timeoutOutcome: 'review' },
  },
};
const rekognitionRefs: DefinitionRefs = { ...localRefs, safety: { engine: 'rekognition', minConfidence: 60 }, stagingBucket: 'staging-bucket-123' };

function tasks(def: AslDefinition): Array<{ name: string; state: TaskState }> {
  const out: Array<{ name: string; state: TaskState }> = [];
  for (const { name, state } of walkStates(def)) if (state.Type === 'Task') out.push({ name, state });
  return out;
}

describe('workflow definition', () => {
  for (const [engine, refs] of [
    ['local', localRefs],
    ['rekognition', rekognitionRefs],
  ] as const) {
    it(`validates with asl-validator and our rules (${engine} safety engine)`, () => {
      const def = buildDefinition(refs);
      const before = JSON.stringify(def);
      const res = validateDefinition(def);
      expect(res.errors).to.deep.equal([]);
      expect(res.valid).to.equal(true);
      // asl-validator mutates what it is given; the deployed object must not change.
      expect(JSON.stringify(def)).to.equal(before);
    });
  }

  it('has the console names in the designed order', () => {
    const def = buildDefinition(localRefs);
    expect(def.StartAt).to.equal(STATE_NAMES.fetch);
    const fetch = def.States[STATE_NAMES.fetch] as TaskState;
    expect(fetch.Next).to.equal(STATE_NAMES.lookup);
    expect((def.States[STATE_NAMES.lookup] as TaskState).Next).to.equal(STATE_NAMES.known);
    const analyze = def.States[STATE_NAMES.analyze] as ParallelState;
    expect(analyze.Type).to.equal('Parallel');
    expect(analyze.Branches.map((b) => b.StartAt)).to.deep.equal([STATE_NAMES.classify, STATE_NAMES.safety]);
    expect(analyze.Next).to.equal(STATE_NAMES.aggregate);
    expect((def.States[STATE_NAMES.aggregate] as TaskState).Next).to.equal(STATE_NAMES.route);
    for (const end of [STATE_NAMES.approved, STATE_NAMES.review, STATE_NAMES.rejected]) expect(def.States[end].Type).to.equal('Succeed');
  });

  it('retries only transient Lambda errors, never the permanent ones, on every Lambda task', () => {
    const def = buildDefinition(localRefs);
    const lambdaTasks = tasks(def).filter((t) => t.state.Resource === LAMBDA_INVOKE);
    expect(lambdaTasks.map((t) => t.name).sort()).to.deep.equal(
      [
        STATE_NAMES.fetch,
        STATE_NAMES.lookup,
        STATE_NAMES.classify,
        STATE_NAMES.safety,
        STATE_NAMES.aggregate,
        STATE_NAMES.record,
        STATE_NAMES.reviewExpired,
        FAIL_SAFE_STATE_NAMES.verdict,
      ].sort(),
    );
    for (const { name, state } of lambdaTasks) {
      expect(state.TimeoutSeconds, name).to.be.a('number').greaterThan(0);
      const [permanent, transient] = state.Retry ?? [];
      expect(permanent?.ErrorEquals, name).to.have.members([...PERMANENT_ERRORS]);
      expect(permanent?.MaxAttempts, name).to.equal(0);
      expect(transient?.ErrorEquals, name).to.have.members([...TRANSIENT_LAMBDA_ERRORS]);
      expect(transient, name).to.include({ JitterStrategy: 'FULL', BackoffRate: 2 });
      expect(transient?.MaxAttempts, name).to.be.greaterThan(0);
      for (const r of state.Retry ?? []) expect(r.ErrorEquals, name).not.to.include('States.ALL');
    }
  });

  it('catches every failure of every top-level task into a path that cannot reach Approved', () => {
    const def = buildDefinition(localRefs);
    const catchTargets = new Set<string>();
    // The store's own steps fail open by design: a failed lookup moderates in full, a failed record keeps
    // the policy's verdict (asserted in review-definition.test.ts). Every other failure must not approve.
    const storeSteps: string[] = [STATE_NAMES.lookup, STATE_NAMES.record];
    for (const [name, state] of Object.entries(def.States)) {
      if (state.Type !== 'Task' && state.Type !== 'Parallel') continue;
      expect(state.Catch, name).to.be.an('array').that.is.not.empty;
      const last = state.Catch!.at(-1)!;
      expect(last.ErrorEquals, name).to.deep.equal(['States.ALL']);
      expect(
        state.Catch!.some((c) => c.ErrorEquals.includes('States.DataLimitExceeded')),
        name,
      ).to.equal(true);
      if (storeSteps.includes(name)) continue;
      for (const c of state.Catch!) catchTargets.add(c.Next);
    }
    expect(catchTargets.size).to.be.greaterThan(1);
    // A fail-safe review goes to a person through RequestReview, whose moderator may approve; without
    // that one state no failure path may reach Approved.
    const withoutPerson = structuredClone(def);
    withoutPerson.States[STATE_NAMES.requestReview] = { Type: 'Succeed' };
    expect([...reachableFrom(def, FAIL_SAFE_STATE_NAMES.routeVerdict)]).to.include(STATE_NAMES.requestReview);
    for (const target of catchTargets) {
      const reach = reachableFrom(withoutPerson, target);
      expect([...reach], `from ${target}`).not.to.include(STATE_NAMES.approved);
      expect(
        [...reach].some((s) => s === STATE_NAMES.review || s === STATE_NAMES.rejected),
        `from ${target}`,
      ).to.equal(true);
    }
    // Only the normal path's router can approve.
    expect([...reachableFrom(def, STATE_NAMES.fetch)]).to.include(STATE_NAMES.approved);
  });

  it('uses the Rekognition SDK integration on every checked view FetchImage staged when asked', () => {
    const def = buildDefinition(rekognitionRefs);
    const analyze = def.States[STATE_NAMES.analyze] as ParallelState;
    const map = analyze.Branches[1].States[STATE_NAMES.safety] as MapState;
    expect(map.Type).to.equal('Map');
    expect(map.ItemsPath).to.equal('$.image.checks');
    expect(map.ResultSelector).to.deep.equal({ engine: 'rekognition', 'views.$': '$' });
    const safety = map.ItemProcessor.States[REKOGNITION_VIEW_STATE] as TaskState;
    expect(safety.Resource).to.equal(REKOGNITION_MODERATION);
    expect(safety.Parameters).to.deep.equal({ Image: { S3Object: { Bucket: 'staging-bucket-123', 'Name.$': '$.key' } }, MinConfidence: 60 });
    expect(safety.ResultSelector).to.deep.include({ 'raw.$': '$.ModerationLabels' });
    expect(safety.Retry!.flatMap((r) => r.ErrorEquals)).to.include('Rekognition.ThrottlingException');
  });

  it('honours timeout overrides and refuses unusable refs', () => {
    const def = buildDefinition({ ...localRefs, timeoutsSeconds: { classify: 120 } });
    const classify = (def.States[STATE_NAMES.analyze] as ParallelState).Branches[0].States[STATE_NAMES.classify] as TaskState;
    expect(classify.TimeoutSeconds).to.equal(120);
    expect(() => buildDefinition({ ...localRefs, classifyFunction: '' })).to.throw(TypeError, /classifyFunction/);
    expect(() => buildDefinition({ ...localRefs, timeoutsSeconds: { fetch: 0 } })).to.throw(RangeError, /fetch/);
    expect(() => buildDefinition({ ...localRefs, safety: { engine: 'rekognition', minConfidence: 150 } })).to.throw(RangeError, /minConfidence/);
  });

  it('our rule check catches what asl-validator misses', () => {
    const def = buildDefinition(localRefs);
    const broken = structuredClone(def);
    const fetch = broken.States[STATE_NAMES.fetch] as TaskState;
    fetch.Catch = [
      { ErrorEquals: ['States.ALL', 'FetchBlocked'], Next: FAIL_SAFE_STATE_NAMES.fetchFailed },
      { ErrorEquals: ['States.ALL'], Next: FAIL_SAFE_STATE_NAMES.fetchFailed },
      { ErrorEquals: ['FetchFailed'], Next: FAIL_SAFE_STATE_NAMES.fetchFailed },
    ];
    delete (fetch as Partial<TaskState>).TimeoutSeconds;
    const errors = checkRules(broken);
    expect(errors.some((e) => /FetchImage: Catch\[0\] has States.ALL together/.test(e))).to.equal(true);
    expect(errors.some((e) => /FetchImage: Catch\[1\] with States.ALL must be the last/.test(e))).to.equal(true);
    expect(errors.some((e) => /FetchImage: a Task needs a positive integer TimeoutSeconds/.test(e))).to.equal(true);
    expect(validateDefinition(broken).valid).to.equal(false);
    // What the stack build and the local engine's start-up call: a named start-up error listing the problems.
    expect(() => assertValidDefinition(broken, 'local')).to.throw(InvalidDefinition, /local state machine definition is invalid: .*FetchImage: Catch\[0\]/);
    expect(assertValidDefinition(def, 'local')).to.equal(def);
  });
});
