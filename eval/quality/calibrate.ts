/**
 * npm run calibrate:quality -- [labels.tsv] [--out dir] [--reuse] [--sweep]
 * Measures the calibration set (./measure-set.ts) into <out>/measures.ndjson (default .eval/quality/,
 * outside git), then reports, per split, how often each distortion is held for a quality reason under
 * the default bands and how many pristine photos are. --reuse reads measures.ndjson instead of measuring;
 * --sweep adds the DEV sweep of every band the defaults were chosen from.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDir } from '../../functions/shared/project.js';
import { parseLabels } from '../labels.js';
import { measurePhoto, type MeasuredCase } from './measure-set.js';
import { reportCalibration, sweepCalibration } from './report.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, reuse: { type: 'boolean' }, sweep: { type: 'boolean' } },
});
const labelsPath = positionals[0] ?? path.join(sharedDir(), 'images', 'labels.tsv');
const outDir = path.resolve(values.out ?? '.eval/quality');
// One JSON line per measured case, appended as it is measured (a long run can be read while it goes).
const file = path.join(outDir, 'measures.ndjson');

let cases: MeasuredCase[];
if (values.reuse) {
  cases = (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MeasuredCase);
} else {
  const photos = parseLabels(await fs.readFile(labelsPath, 'utf8'), labelsPath);
  cases = [];
  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(file, '');
  const t0 = Date.now();
  for (const [i, photo] of photos.entries()) {
    const measured = await measurePhoto(photo);
    cases.push(...measured);
    await fs.appendFile(file, measured.map((c) => `${JSON.stringify(c)}\n`).join(''));
    if (i % 50 === 0) process.stderr.write(`${i + 1}/${photos.length} photos, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
console.log(reportCalibration(cases));
if (values.sweep) console.log(sweepCalibration(cases));
