import { expect } from 'chai';
import * as errors from '../functions/shared/errors.js';
import { FetchBlocked, ModerationError, OUTSIDE_WORKFLOW_ERRORS, PERMANENT_ERRORS, describeError } from '../functions/shared/errors.js';

describe('errors', () => {
  it('names each error after its class, which is what Retry/Catch match', () => {
    const err = new FetchBlocked('169.254.169.254 is link-local', { address: '169.254.169.254' });
    expect(err.name).to.equal('FetchBlocked');
    expect(err).to.be.instanceOf(Error);
    expect(PERMANENT_ERRORS).to.include(err.name);
    expect(describeError(err)).to.deep.equal({ name: 'FetchBlocked', message: '169.254.169.254 is link-local' });
  });

  it('treats every error class a step can raise as permanent (derived from the classes, not a second list)', () => {
    const clientOnly = new Set(Object.keys(OUTSIDE_WORKFLOW_ERRORS));
    expect([...PERMANENT_ERRORS].filter((n) => clientOnly.has(n))).to.deep.equal([]);
    const classes = (Object.values(errors) as unknown[]).filter(
      (v): v is new (m: string) => ModerationError => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof ModerationError,
    );
    const stepErrors = classes.map((C) => new C('x').name).filter((n) => !clientOnly.has(n));
    expect(stepErrors.length).to.be.at.least(15);
    expect([...PERMANENT_ERRORS].sort()).to.deep.equal(stepErrors.sort());
  });
});
