/**
 * Node 24's Lambda runtime only calls async (promise-returning) handlers; callback handlers are gone.
 * Every functions/<name>/handler.ts must export `handler` with at most (event, context) and return a
 * promise even for bad input (the rejection is the named error), never throw synchronously.
 */
import { expect } from 'chai';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../workflow/fixtures.js';

const handlerFiles = readdirSync(path.join(projectRoot, 'functions'))
  .map((d) => path.join(projectRoot, 'functions', d, 'handler.ts'))
  .filter(existsSync);

describe('every Lambda handler is async (Node 24 runtime)', () => {
  it('finds the handlers', () => {
    expect(handlerFiles.map((f) => path.basename(path.dirname(f)))).to.include.members(['aggregate', 'classify', 'fetch-image', 'safety']);
  });

  for (const file of handlerFiles) {
    const name = path.basename(path.dirname(file));
    it(`${name}: handler(event, context) returns a promise, also for bad input`, async () => {
      const mod = (await import(pathToFileURL(file).href)) as { handler?: (...args: unknown[]) => unknown };
      expect(mod.handler, 'exported handler').to.be.a('function');
      expect(mod.handler!.length, 'no callback parameter').to.be.at.most(2);
      let returned: unknown;
      expect(() => {
        returned = mod.handler!({ image: { uri: 42 } }, { awsRequestId: 'async-check' });
      }, 'throws synchronously').not.to.throw();
      expect(returned).to.be.instanceOf(Promise);
      const settled = await (returned as Promise<unknown>).then(
        () => 'resolved',
        (e: Error) => e.name,
      );
      expect(settled).to.equal('InvalidInput');
    });
  }
});
