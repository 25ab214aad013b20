/**
 * The metrics the local engine really emits, through the telemetry sink `npm start -- --verbose` uses:
 * real steps, real models, real photos. Each local function counts one ColdStart when its first
 * invocation builds it (as a Lambda's first invocation does), never again in the same workflow, and
 * every EMF blob carries exactly the dimension set metric-names.ts declares (which the dashboard's
 * SEARCH expressions and the alarms are built from).
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STATE_NAMES } from '../../functions/shared/contracts/states.js';
import { METRIC_DIMENSIONS, METRICS, type MetricName } from '../../functions/shared/telemetry/metric-names.js';
import { LOCAL_FUNCTIONS } from '../../workflows/local/definition.js';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { photo } from '../workflow/fixtures.js';

type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };

describe('telemetry: what the local engine emits (real steps and models)', function () {
  this.timeout(180_000);
  let tmp: string;
  let workflow: LocalWorkflow;
  const lines: Array<Record<string, unknown>> = [];
  const emf = () => lines.filter((l): l is Emf => l._aws !== undefined);
  const coldStarts = () => emf().filter((l) => METRICS.coldStart in l);

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'local-metrics-'));
    await writeFile(path.join(tmp, 'not-an-image.jpg'), 'plain text, not a JPEG');
    workflow = await createLocalWorkflow({
      stagingDir: path.join(tmp, 'staging'),
      dataDir: path.join(tmp, 'data'),
      safetyEngine: 'local',
      logTo: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
    });
  });
  after(async () => {
    await workflow?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('counts one ColdStart per local function, on its first invocation only', async () => {
    expect(coldStarts(), 'nothing is counted before the first image').to.be.empty;
    const first = await workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), postId: 'p-1' });
    expect(first.status).to.equal(STATE_NAMES.approved);
    const afterFirst = coldStarts().map((l) => l.function_name);
    // FetchImage, LookupVerdict, ClassifyImage, CheckSafety, AggregateVerdict, RecordVerdict ran: five functions.
    expect([...afterFirst].sort()).to.deep.equal(
      [LOCAL_FUNCTIONS.fetch, LOCAL_FUNCTIONS.verdicts, LOCAL_FUNCTIONS.classify, LOCAL_FUNCTIONS.safety, LOCAL_FUNCTIONS.aggregate].sort(),
    );

    const held = await workflow.run({ imageUrl: photo('n02823428_beer_bottle.JPEG'), postId: 'p-2' });
    expect(held.verdict.decision).not.to.equal('approve');
    const again = await workflow.run({ imageUrl: photo('n02391049_zebra.JPEG'), postId: 'p-3' });
    expect(again.status).to.equal(STATE_NAMES.approved);
    // A file that is not an image: FetchImage fails with a named error (counted in StepErrors), the fail-safe verdict holds it.
    const broken = await workflow.run({ imageUrl: path.join(tmp, 'not-an-image.jpg') });
    expect(broken.verdict.decision).not.to.equal('approve');
    expect(coldStarts().map((l) => l.function_name)).to.deep.equal(afterFirst);
  });

  it('emits every metric with exactly the dimensions metric-names.ts declares, in one namespace and service', () => {
    const seen = new Set<string>();
    const namespaces = new Set<string>();
    for (const blob of emf()) {
      for (const directive of blob._aws.CloudWatchMetrics) {
        namespaces.add(directive.Namespace);
        for (const { Name } of directive.Metrics) {
          expect(METRIC_DIMENSIONS, `${Name} is not declared in metric-names.ts`).to.have.property(Name);
          expect([...directive.Dimensions[0]].sort(), Name).to.deep.equal([...METRIC_DIMENSIONS[Name as MetricName]].sort());
          for (const d of directive.Dimensions[0]) expect(blob[d], `${Name}.${d}`).to.be.a('string').and.not.be.empty;
          seen.add(Name);
        }
      }
    }
    expect(namespaces.size).to.equal(1);
    expect(new Set(emf().map((b) => b.service)).size).to.equal(1);
    // Everything but the expiry count (a queued review locally never times out) showed up in four runs;
    // ModelLoadTime only if this process had not loaded the models yet (sessions are cached per process).
    const expected = Object.values(METRICS).filter((m) => m !== METRICS.reviewsExpired && m !== METRICS.modelLoadTime);
    expect([...seen].filter((m) => m !== METRICS.modelLoadTime).sort()).to.deep.equal(expected.sort());
  });

  it('logs every verdict-store step under its state name with the execution, post and image keys', () => {
    const lookups = lines.filter((l) => l.message === `${STATE_NAMES.lookup} done`);
    expect(lookups).to.have.length(3);
    for (const l of lookups) expect(l).to.include.keys('execution', 'post_id', 'image_sha256');
    expect(lines.filter((l) => l.message === `${STATE_NAMES.requestReview} done`)).to.have.length(1);
    expect(lines.find((l) => l.message === `${STATE_NAMES.record} done`)).to.include({ step: STATE_NAMES.record, post_id: 'p-1' });
  });
});
