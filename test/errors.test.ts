import { expect } from 'chai';
import { FetchBlocked, PERMANENT_ERRORS, describeError } from '../functions/shared/errors.js';

describe('errors', () => {
  it('names each error after its class, which is what Retry/Catch match', () => {
    const err = new FetchBlocked('169.254.169.254 is link-local', { address: '169.254.169.254' });
    expect(err.name).to.equal('FetchBlocked');
    expect(err).to.be.instanceOf(Error);
    expect(PERMANENT_ERRORS).to.include(err.name);
    expect(describeError(err)).to.deep.equal({ name: 'FetchBlocked', message: '169.254.169.254 is link-local' });
  });
});
