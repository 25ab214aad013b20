/** The Dockerfile's bundle stage: `tsx infra/build-image-bundles.ts <outDir>`. */
import path from 'node:path';
import { buildImageBundles } from './lambda-bundles.js';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx infra/build-image-bundles.ts <outDir>');
  process.exit(2);
}
const built = await buildImageBundles(path.resolve(outDir));
for (const file of Object.values(built)) console.log(file);
