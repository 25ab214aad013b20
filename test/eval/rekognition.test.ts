// npm run eval -- --safety-engine rekognition: the deployed default engine measured on labelled photos,
// here against the loopback stand-in (test/rekognition/stand-in.ts) through the real SDK client.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../eval/run.js';
import { startStandInWithModels, type RekognitionStandIn } from '../rekognition/stand-in.js';
import { captureIo, photosDir } from '../workflow/fixtures.js';

describe('npm run eval --safety-engine rekognition (behind the Rekognition stand-in)', function () {
  this.timeout(600_000);
  let dir: string;
  let standIn: RekognitionStandIn;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eval-rek-'));
    standIn = await startStandInWithModels();
  });
  after(async () => {
    await standIn?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('measures the Rekognition engine: every photo reaches it, its own labels decide', async () => {
    const labels = path.join(dir, 'labels.tsv');
    const rel = (f: string) => path.relative(dir, path.join(photosDir, f));
    await writeFile(
      labels,
      ['file\texpected\tcategory', `${rel('n02391049_zebra.JPEG')}\tapprove\t`, `${rel('n02823428_beer_bottle.JPEG')}\tflag\tAlcohol`].join('\n'),
    );
    const out = path.join(dir, 'out');
    const io = captureIo({ ...process.env });
    const code = await main(
      [labels, '--json', '--safety-engine', 'rekognition', '--out', out, '--staging-dir', path.join(dir, 'staging'), '--concurrency', '1'],
      io,
    );
    expect(code, io.err()).to.equal(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report).to.include({ images: 2, caught: 1, falseFlags: 0 });
    expect(report.models.safety).to.deep.equal({ name: 'rekognition', version: '7.0' });
    // Rekognition's own answer (the stand-in's labels) caught the bottle, not only the classifier's evidence.
    expect(report.bySource.safety.caught).to.equal(1);
    expect(standIn.requests.filter((r) => !r.error)).to.have.length(2);
  });

  it('refuses an unknown engine as a usage error', async () => {
    const io = captureIo();
    expect(await main(['--safety-engine', 'sightengine'], io)).to.equal(2);
    expect(io.err()).to.include('--safety-engine must be local or rekognition');
  });
});
