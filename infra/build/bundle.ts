/**
 * esbuild bundles for the zip Lambdas, built while the program runs (fast: well under a second), so the
 * deployed code is always the code in this checkout.
 */
import * as pulumi from '@pulumi/pulumi';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../functions/shared/errors.js';
import { projectRoot } from '../../functions/shared/project.js';
import { buildZipBundleSync } from './lambda-bundles.js';

/** functions/<name>/handler.ts → a one-file ESM archive with `index.handler`. */
export function bundleFunction(name: string, nodeMajor: number): pulumi.asset.AssetArchive {
  const entry = path.join(projectRoot, 'functions', name, 'handler.ts');
  if (!existsSync(entry)) throw new ConfigError(`Cannot bundle ${name}: ${entry} does not exist.`);
  const outDir = path.join(projectRoot, '.cache', 'bundles', name);
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.mjs');
  buildZipBundleSync(name, outfile, { nodeMajor });
  return new pulumi.asset.AssetArchive({ 'index.mjs': new pulumi.asset.FileAsset(outfile) });
}
