/**
 * Converts the pinned nsfwjs MobileNetV2 into ONNX and puts it in the model cache (or --out), verified
 * against models/nsfwjs.json. The CLI and tests do the same on first use; the Pulumi program runs this
 * before uploading the model for the local safety Lambda.
 *
 *   npx tsx models/scripts/convert-nsfwjs.ts [--cache-dir .cache/models] [--print-sha256]
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { resolveNsfwModel } from '../../functions/safety/nsfw-store.js';

const { values } = parseArgs({ options: { 'cache-dir': { type: 'string' } } });
const cacheDir = values['cache-dir'] ?? modelStoreOptions().cacheDir;
const t0 = performance.now();
const resolved = await resolveNsfwModel({ cacheDir });
const sha = createHash('sha256')
  .update(await readFile(resolved.modelPath))
  .digest('hex');
console.log(JSON.stringify({ modelPath: resolved.modelPath, sha256: sha, source: resolved.source, ms: Math.round(performance.now() - t0) }));
