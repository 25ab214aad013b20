/**
 * Child process for classify.coldInitMs: process start → first result, the model already in
 * MODEL_CACHE_DIR (as on a warm EFS). It imports the esbuild bundle of the classify handler (what the
 * Lambda runs), waits for the session, then classifies the image at argv[3] from its bytes. Node's
 * performance.now() counts from the process's start, so the figure includes Node's own start-up. The
 * parent passes the settings in the environment.
 */
import { readFile } from 'node:fs/promises';

const bundle = process.argv[2];
const image = process.argv[3];
const t0 = performance.now();
const mod = await import(bundle);
const imported = performance.now();
// Timing-only models are benchmarked too (the deployed default's architecture with random weights).
const classifier = await mod.getClassifier({ allowTimingOnly: true });
const ready = performance.now();
const labels = await classifier.classify(await readFile(image));
const first = performance.now();
if (!Array.isArray(labels) || labels.length === 0) throw new Error('The first classification returned no labels.');
process.stdout.write(JSON.stringify({ nodeStartMs: t0, importMs: imported - t0, sessionMs: ready - imported, firstImageMs: first - ready, coldInitMs: first }));
