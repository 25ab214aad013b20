/**
 * Child process for classify.coldInitMs: imports the esbuild bundle of the classify handler (what the
 * Lambda runs) and times module import → ready session. The model is already in MODEL_CACHE_DIR, as on
 * a warm EFS; the parent passes the settings in the environment.
 */
const bundle = process.argv[2];
const t0 = performance.now();
const mod = await import(bundle);
const imported = performance.now();
// Timing-only models are benchmarked too (the deployed default's architecture with random weights).
await mod.getClassifier({ allowTimingOnly: true });
const ready = performance.now();
process.stdout.write(JSON.stringify({ importMs: imported - t0, sessionMs: ready - imported, coldInitMs: ready - t0 }));
