/**
 * How every Lambda's code is bundled, in one place: the container image (functions/classify/Dockerfile
 * runs infra/build/build-task-root.ts), the zip functions (infra/build/bundle.ts), the cold-start benchmark and
 * the bundle smoke test all build with these options, so what is measured and tested is what ships.
 * No Pulumi import here: the Dockerfile's build stage runs it with tsx alone.
 */
import { build, buildSync, type BuildOptions } from 'esbuild';
import path from 'node:path';
import { projectRoot } from '../../functions/shared/project.js';
import { defaultRuntime } from './runtime.js';

/** The handlers that ship inside the container image (fetch-image and safety run it with a command override). */
export const IMAGE_ENTRIES = ['classify', 'safety', 'fetch-image'] as const;

/** Native addons: installed for the target platform in the image, never bundled. */
export const NATIVE_MODULES = ['sharp', 'onnxruntime-node'];

export interface LambdaBundleOptions {
  /** Modules left to node_modules at run time (the image: the native addons). */
  external?: string[];
  /** The zip functions are minified with an inline source map; the image keeps readable stack traces. */
  minify?: boolean;
  /** The Node major of the Lambda runtime that runs the bundle (default: the stack's default runtime). */
  nodeMajor?: number;
}

export function lambdaBuildOptions(name: string, outfile: string, opts: LambdaBundleOptions = {}): BuildOptions {
  return {
    entryPoints: [path.join(projectRoot, 'functions', name, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${opts.nodeMajor ?? defaultRuntime().nodeMajor}`,
    outfile,
    external: opts.external ?? [],
    minify: opts.minify ?? false,
    // Error class names are the errorType that Retry/Catch match and reasons record (errors.ts sets
    // name from new.target.name); minified without this, InvalidInput reaches the workflow as "Yi".
    keepNames: true,
    sourcemap: opts.minify ? 'inline' : false,
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  };
}

/** The container image's bundles, `<outDir>/<entry>.mjs`, exactly as the Dockerfile builds them. */
export async function buildImageBundles(
  outDir: string,
  opts: Pick<LambdaBundleOptions, 'nodeMajor'> = {},
): Promise<Record<(typeof IMAGE_ENTRIES)[number], string>> {
  const out = {} as Record<(typeof IMAGE_ENTRIES)[number], string>;
  for (const entry of IMAGE_ENTRIES) {
    const outfile = path.join(outDir, `${entry}.mjs`);
    await build(lambdaBuildOptions(entry, outfile, { ...opts, external: NATIVE_MODULES }));
    out[entry] = outfile;
  }
  return out;
}

/** A zip function's one-file bundle (synchronous: the Pulumi program builds it while it runs). */
export function buildZipBundleSync(name: string, outfile: string, opts: Pick<LambdaBundleOptions, 'nodeMajor'> = {}): string {
  buildSync(lambdaBuildOptions(name, outfile, { ...opts, minify: true }));
  return outfile;
}
