// Recorded executions: what the console opens later, from the real local engine's event log, written
// to a real directory.
import { expect } from 'chai';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDefinition } from '../../workflows/definition.js';
import { ExecutionLog, EXECUTION_ID, recording } from '../../workflows/local/execution-log.js';
import { ExecutionFailed, LocalEngine, type StepHandler } from '../../workflows/local/engine.js';
import { namedError, stubClassification, stubImage as image, stubRefs, useStubSteps } from './fixtures.js';

describe('recorded executions (workflows/local/execution-log.ts)', () => {
  const stub = useStubSteps('exec-log-');
  function workflow(over: Partial<Record<string, StepHandler>> = {}) {
    const definition = buildDefinition(stubRefs());
    const engine = new LocalEngine(definition, { handlers: stub.handlers(over), retryIntervalOverrides: { ClassifyImage: 0 } });
    return { definition, run: (input: { imageUrl: string }) => engine.run(input) };
  }

  it('records each state with input, output, timing, and the retries it took', async () => {
    let calls = 0;
    const flaky: StepHandler = async () => {
      if (++calls === 1) throw namedError('Lambda.ServiceException');
      return stubClassification;
    };
    const log = await new ExecutionLog(stub.dir).open();
    const wf = workflow({ classify: flaky });
    await recording(wf, log).run({ imageUrl: 'https://example.com/cat.jpg' });
    const [summary] = await log.list();
    expect(summary).to.include({ status: 'Approved', decision: 'approve', sha256: image.sha256 });
    expect(summary.id).to.match(EXECUTION_ID);
    const record = (await log.get(summary.id))!;
    expect(record.definition).to.deep.equal(wf.definition);
    const byName = Object.fromEntries(record.states.map((s) => [s.name, s]));
    expect(Object.keys(byName)).to.include.members([
      'FetchImage',
      'AnalyzeImage',
      'ClassifyImage',
      'CheckSafety',
      'AggregateVerdict',
      'RouteDecision',
      'Approved',
    ]);
    expect(byName.ClassifyImage).to.include({ outcome: 'succeeded', type: 'Task' });
    expect(byName.ClassifyImage.parents).to.deep.equal(['AnalyzeImage']);
    expect(byName.ClassifyImage.retries).to.have.length(1);
    expect(byName.ClassifyImage.retries[0].error?.Error).to.equal('Lambda.ServiceException');
    expect(byName.FetchImage.input).to.deep.equal({ imageUrl: 'https://example.com/cat.jpg' });
    expect(byName.FetchImage.output).to.have.nested.property('staged.image.sha256', image.sha256);
    for (const s of record.states) expect(s.durationMs, s.name).to.be.a('number').and.at.least(0);
    expect(byName.NeedsReview).to.equal(undefined);
  });

  it('records a caught error on the state that raised it', async () => {
    const log = await new ExecutionLog(stub.dir).open();
    await recording(workflow({ fetch: async () => Promise.reject(namedError('UnsupportedImageFormat')) }), log).run({ imageUrl: 'x.html' });
    const record = (await log.get((await log.ids())[0]))!;
    const fetch = record.states.find((s) => s.name === 'FetchImage')!;
    expect(fetch.outcome).to.equal('caught');
    expect(fetch.error?.Error).to.equal('UnsupportedImageFormat');
    expect(record.states.map((s) => s.name)).to.include.members(['FetchImageFailed', 'FailSafeVerdict', 'NeedsReview']);
  });

  it('records an engine failure as FAILED before rethrowing it', async () => {
    const log = await new ExecutionLog(stub.dir).open();
    const broken = workflow();
    const failing = { definition: broken.definition, run: async () => Promise.reject(new ExecutionFailed('States.Runtime', 'boom', [])) };
    let thrown: unknown;
    await recording(failing, log)
      .run({ imageUrl: 'a.jpg' })
      .catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(ExecutionFailed);
    const [summary] = await log.list();
    expect(summary).to.include({ status: 'FAILED' });
    expect((await log.get(summary.id))!.error).to.deep.equal({ Error: 'States.Runtime', Cause: 'boom' });
  });

  it('opens only well-formed ids, keeps the newest records, and writes no partial files', async () => {
    const log = await new ExecutionLog(stub.dir, 3).open();
    const wf = workflow();
    for (let i = 0; i < 5; i++) await recording(wf, log).run({ imageUrl: `https://example.com/${i}.jpg` });
    expect(await log.prune()).to.equal(2);
    const kept = await log.list();
    expect(kept.map((k) => k.input.imageUrl)).to.deep.equal(['https://example.com/4.jpg', 'https://example.com/3.jpg', 'https://example.com/2.jpg']);
    expect(await log.get('../../etc/passwd')).to.equal(undefined);
    expect((await readdir(log.dir)).filter((n) => !n.endsWith('.json'))).to.deep.equal([]);
  });

  it('fails at start-up when the data directory cannot be created', async () => {
    const file = path.join(stub.dir, 'a-file');
    await writeFile(file, '');
    let err: NodeJS.ErrnoException | undefined;
    await new ExecutionLog(file).open().catch((e: NodeJS.ErrnoException) => (err = e));
    expect(err?.code).to.be.oneOf(['ENOTDIR', 'EEXIST']);
  });
});
