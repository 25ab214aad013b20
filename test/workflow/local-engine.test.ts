// The definition's routing, retries and fail-safe path on the real local engine, with the stand-in steps
// of ./fixtures.ts around the real verdict step (the real handlers are exercised in e2e.test.ts).
import { expect } from 'chai';
import type { AggregateInput } from '../../functions/shared/contracts/index.js';
import { FAIL_SAFE_STATE_NAMES, STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { ConfigError, FetchBlocked, ModelNotFoundError } from '../../functions/shared/errors.js';
import { executionName as executionNameOf } from '../../functions/shared/moderation-input.js';
import { buildDefinition } from '../../workflows/definition.js';
import { LocalEngine, PAYLOAD_LIMIT_BYTES, type StepHandler } from '../../workflows/local/engine.js';
import { namedError as named, stubImage as image, stubRefs, stubVerdict as verdict, useStubSteps } from './fixtures.js';

const refs = stubRefs();

describe('local engine adapter', () => {
  const stub = useStubSteps('local-engine-');
  const steps = (over: Partial<Record<string, StepHandler>> = {}) => stub.handlers(over);

  it('refuses to build with an unbound Task (it would silently call real AWS)', () => {
    const { safety: _unused, ...partial } = steps();
    expect(() => new LocalEngine(buildDefinition(refs), { handlers: partial })).to.throw(ConfigError, /CheckSafety.*"safety"/);
  });

  it('runs the happy path and passes the contracts between the steps', async () => {
    const seen: Record<string, unknown> = {};
    const record =
      (k: string, h: StepHandler): StepHandler =>
      async (p) => {
        seen[k] = p;
        return h(p);
      };
    const base = steps();
    const engine = new LocalEngine(buildDefinition(refs), {
      handlers: Object.fromEntries(Object.entries(base).map(([k, h]) => [k, record(k, h)])),
    });
    const input = { imageUrl: 'https://example.com/cat.jpg', postId: 'p1', context: { title: 'Cats' } };
    const run = await engine.run(input);
    expect(run.status).to.equal(STATE_NAMES.approved);
    expect(run.verdict.decision).to.equal('approve');
    expect(run.verdict.seoTags).to.deep.equal(['tabby']);
    // Every payload names its execution (the client's deterministic name), for the logs' correlation keys.
    const executionName = executionNameOf(input);
    expect(executionName).to.match(/^p1-[0-9a-f]{40}$/);
    expect(seen.fetch).to.deep.equal({ input, executionName });
    expect(seen.classify).to.deep.equal({ image, input, executionName });
    expect(seen.safety).to.deep.equal({ image, input, executionName });
    expect(seen.aggregate).to.deep.equal({
      input,
      image,
      executionName,
      classification: { labels: [{ label: 'tabby', wnid: 'n02123045', score: 0.9 }], model: { name: 'm', sha256: 's' } },
      safety: { engine: 'local', labels: [] },
    });
    for (const s of [STATE_NAMES.fetch, STATE_NAMES.analyze, STATE_NAMES.classify, STATE_NAMES.safety, STATE_NAMES.aggregate]) {
      expect(run.timings[s], s).to.be.a('number');
    }
    expect(run.maxPayloadBytes).to.be.lessThan(PAYLOAD_LIMIT_BYTES);
  });

  for (const [decision, end] of [
    ['review', STATE_NAMES.review],
    ['reject', STATE_NAMES.rejected],
  ] as const) {
    it(`routes a ${decision} verdict to ${end}`, async () => {
      const engine = new LocalEngine(buildDefinition(refs), { handlers: steps({ aggregate: async () => verdict(decision) }) });
      expect((await engine.run({ imageUrl: 'x' })).status).to.equal(end);
    });
  }

  it('retries a transient Lambda error and then succeeds', async () => {
    let calls = 0;
    const engine = new LocalEngine(buildDefinition(refs), {
      handlers: steps({
        classify: async (p) => {
          calls += 1;
          if (calls === 1) throw named('Lambda.ServiceException', 'Lambda is having a moment');
          return steps().classify(p);
        },
      }),
      retryIntervalOverrides: { [STATE_NAMES.classify]: 0 },
    });
    const run = await engine.run({ imageUrl: 'x' });
    expect(calls).to.equal(2);
    expect(run.retries[STATE_NAMES.classify]).to.equal(1);
    expect(run.status).to.equal(STATE_NAMES.approved);
  });

  it('does not retry a permanent error and records it, with the failed state, for the fail-safe verdict', async () => {
    let fetchCalls = 0;
    let failSafeInput: AggregateInput | undefined;
    const engine = new LocalEngine(buildDefinition(refs), {
      handlers: steps({
        fetch: async () => {
          fetchCalls += 1;
          throw new FetchBlocked('169.254.169.254 is the metadata address; use a public URL.');
        },
        aggregate: async (p) => {
          failSafeInput = p as AggregateInput;
          return verdict('reject', { reasons: [{ code: 'step-failed', error: failSafeInput.error!.Error, message: 'blocked' }] });
        },
      }),
      retryIntervalOverrides: { [STATE_NAMES.fetch]: 0 },
    });
    const run = await engine.run({ imageUrl: 'http://169.254.169.254/latest/meta-data/' });
    expect(fetchCalls).to.equal(1);
    expect(run.status).to.equal(STATE_NAMES.rejected);
    expect(run.path).to.include.members([FAIL_SAFE_STATE_NAMES.fetchFailed, FAIL_SAFE_STATE_NAMES.verdict]);
    expect(failSafeInput!.input).to.deep.equal({ imageUrl: 'http://169.254.169.254/latest/meta-data/' });
    expect(failSafeInput!.error!.Error).to.equal('FetchBlocked');
    expect(failSafeInput!.error!.state).to.equal(STATE_NAMES.fetch);
    // Cause has Lambda's shape on AWS; the adapter reproduces it.
    expect(JSON.parse(failSafeInput!.error!.Cause!)).to.deep.equal({
      errorType: 'FetchBlocked',
      errorMessage: '169.254.169.254 is the metadata address; use a public URL.',
    });
  });

  it('never approves on the fail-safe path, even if the fail-safe aggregate says approve', async () => {
    const engine = new LocalEngine(buildDefinition(refs), {
      handlers: steps({
        classify: async () => {
          throw new ModelNotFoundError('no model');
        },
        aggregate: async () => verdict('approve'),
      }),
    });
    const run = await engine.run({ imageUrl: 'x' });
    expect(run.path).to.include(FAIL_SAFE_STATE_NAMES.analyzeFailed);
    expect(run.status).to.equal(STATE_NAMES.review);
  });

  for (const [error, end, fallback] of [
    [new FetchBlocked('blocked'), STATE_NAMES.rejected, FAIL_SAFE_STATE_NAMES.fallbackReject],
    [named('FetchFailed', 'refused'), STATE_NAMES.review, FAIL_SAFE_STATE_NAMES.fallbackReview],
  ] as const) {
    it(`falls back to a fixed verdict when the aggregate function fails too (${error.name} → ${end})`, async () => {
      const engine = new LocalEngine(buildDefinition(refs), {
        handlers: steps({
          fetch: async () => {
            throw error;
          },
          aggregate: async () => {
            throw new TypeError('aggregate is broken');
          },
        }),
      });
      const run = await engine.run({ imageUrl: 'x' });
      expect(run.path).to.include(fallback);
      expect(run.status).to.equal(end);
      expect(run.verdict.reasons[0]).to.include({ code: 'step-failed', error: error.name });
      expect(run.verdict.reasons[0].message).to.match(/TypeError/);
      expect(run.verdict.seoTags).to.deep.equal([]);
    });
  }

  it('enforces the 256 KB state limit the local engine ignores, and the fail-safe path catches it', async () => {
    const engine = new LocalEngine(buildDefinition(refs), {
      handlers: steps({ classify: async () => ({ labels: [], model: { name: 'x'.repeat(PAYLOAD_LIMIT_BYTES), sha256: '' } }) }),
    });
    const run = await engine.run({ imageUrl: 'x' });
    expect(run.status).to.equal(STATE_NAMES.review);
    expect(run.verdict.reasons[0]).to.include({ error: 'States.DataLimitExceeded' });
  });
});
