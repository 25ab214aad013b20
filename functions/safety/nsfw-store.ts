/**
 * Where the converted nsfwjs model comes from: an explicit path, the content-addressed cache, S3 (the
 * deployed stack uploads it at `pulumi up`), or, on a developer machine, converting it from the pinned
 * npm tarball (`npm pack`, sha256-checked). Every route ends in a sha256 check against models/nsfwjs.json
 * and an atomic rename, under the model store's lock, so racing cold starts never read a half file.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as tar from 'tar';
import nsfwPin from '../../models/nsfwjs.json' with { type: 'json' };
import { ModelIntegrityError, ModelNotFoundError } from '../shared/errors.js';
import { writeVerified } from '../shared/models/atomic.js';
import { produceOnce } from '../shared/models/lock.js';
import { S3Source } from '../shared/models/sources.js';
import { fileSha256Once, verifiedCacheHit } from '../shared/models/verify.js';
import { evalUmd, tfjsToOnnx, type TfjsModel } from './nsfw-convert.js';

export type NsfwModelName = keyof typeof nsfwPin.models;
export const NSFW_MODEL_NAMES = Object.keys(nsfwPin.models) as NsfwModelName[];
export const NSFW_PRIMARY: NsfwModelName = 'nsfwjs-mobilenet-v2';
export const NSFW_CONFIRM: NsfwModelName = 'nsfwjs-inception-v3';

export interface NsfwModelPin {
  name: NsfwModelName;
  package: typeof nsfwPin.package;
  dir: string;
  description: string;
  size: number;
  onnx: { sha256: string; bytes: number };
}

export function nsfwModelPin(name: NsfwModelName): NsfwModelPin {
  const m = nsfwPin.models[name];
  if (!m) throw new ModelNotFoundError(`${String(name)} is not an nsfwjs model pinned in models/nsfwjs.json (known: ${NSFW_MODEL_NAMES.join(', ')}).`);
  return { name, package: nsfwPin.package, ...m };
}

/** The primary (always-run) model's pin. */
export const NSFW_PIN = nsfwModelPin(NSFW_PRIMARY);

export interface NsfwStoreOptions {
  cacheDir: string;
  /** Which pinned model (default the primary MobileNetV2). */
  model?: NsfwModelName;
  /** A converted model file used in place (still sha256-checked). */
  path?: string;
  s3Uri?: string;
  s3Client?: S3Client;
  /** Convert from the npm tarball when nothing else has it (default true; the Lambda sets false). */
  allowConvert?: boolean;
  lockStaleMs?: number;
}

export interface ResolvedNsfwModel {
  modelPath: string;
  sha256: string;
  source: 'path' | 'cache' | 's3' | 'converted';
}

/** Downloads the pinned tarball with npm (honours the machine's registry settings) and checks it. */
export async function packTarball(workDir: string): Promise<Buffer> {
  const spec = `${NSFW_PIN.package.name}@${NSFW_PIN.package.version}`;
  try {
    await promisify(execFile)('npm', ['pack', spec, '--pack-destination', workDir, '--silent'], { timeout: 120_000, cwd: workDir });
  } catch (err) {
    throw new ModelNotFoundError(
      `Could not download ${spec} with npm pack (${(err as Error).message.split('\n')[0]}). The local safety model is converted from it on first use: this needs the npm registry once. Otherwise set NSFW_MODEL_PATH or NSFW_MODEL_S3_URI, or use --safety-engine rekognition.`,
    );
  }
  const tgz = await readFile(path.join(workDir, `${NSFW_PIN.package.name}-${NSFW_PIN.package.version}.tgz`));
  const sha = createHash('sha256').update(tgz).digest('hex');
  if (sha !== NSFW_PIN.package.tarballSha256) {
    throw new ModelIntegrityError(
      `${spec} tarball has sha256 ${sha}, expected ${NSFW_PIN.package.tarballSha256}. The registry served different bytes; nothing was converted.`,
    );
  }
  return tgz;
}

/**
 * The ONNX bytes of one pinned model from the npm tarball: pure apart from reading the archive. The
 * model file names its weight shards; they are concatenated in that order, as TF.js does.
 */
export async function convertFromTarball(tgzPath: string, name: NsfwModelName = NSFW_PRIMARY): Promise<Buffer> {
  const pin = nsfwModelPin(name);
  const files = new Map<string, Buffer[]>();
  await tar.t({
    file: tgzPath,
    onReadEntry: (entry) => {
      if (path.posix.dirname(entry.path) !== pin.dir) return entry.resume();
      const chunks: Buffer[] = [];
      files.set(path.posix.basename(entry.path), chunks);
      entry.on('data', (c: Buffer) => chunks.push(c));
    },
  });
  const text = (f: string) => {
    const chunks = files.get(f);
    if (!chunks?.length) throw new ModelNotFoundError(`${pin.dir}/${f} is missing from the nsfwjs tarball.`);
    return Buffer.concat(chunks).toString('utf8');
  };
  const model = evalUmd(text('model.min.js')) as TfjsModel;
  const shards = model.weightsManifest.flatMap((g) => g.paths).map((p) => Buffer.from(evalUmd(text(`${path.posix.basename(p)}.min.js`)) as string, 'base64'));
  return tfjsToOnnx(model, Buffer.concat(shards), { name: pin.name, description: pin.description });
}

async function convertInto(dest: string, pin: NsfwModelPin): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nsfwjs-'));
  try {
    await packTarball(work);
    const onnx = await convertFromTarball(path.join(work, `${pin.package.name}-${pin.package.version}.tgz`), pin.name);
    await writeVerified(dest, Readable.from([onnx]), pin.onnx, `conversion of ${pin.name} from ${pin.package.name}@${pin.package.version}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function resolveNsfwModel(opts: NsfwStoreOptions): Promise<ResolvedNsfwModel> {
  const pin = nsfwModelPin(opts.model ?? NSFW_PRIMARY);
  const expected = pin.onnx;
  if (opts.path) {
    const sha = await fileSha256Once(path.resolve(opts.path));
    if (sha !== expected.sha256)
      throw new ModelIntegrityError(`${opts.path} has sha256 ${sha}, expected ${expected.sha256} for ${pin.name} (models/nsfwjs.json).`);
    return { modelPath: path.resolve(opts.path), sha256: sha, source: 'path' };
  }
  const dir = path.join(path.resolve(opts.cacheDir), pin.name);
  const dest = path.join(dir, `${expected.sha256}.onnx`);
  const resolved = (source: ResolvedNsfwModel['source']): ResolvedNsfwModel => ({ modelPath: dest, sha256: expected.sha256, source });
  const cached = async () => ((await verifiedCacheHit(dest, expected.sha256)) ? resolved('cache') : undefined);
  const hit = await cached();
  if (hit) return hit;
  await mkdir(dir, { recursive: true });
  return produceOnce(`${dest}.lock`, { staleMs: opts.lockStaleMs ?? 120_000, pollMs: 200 }, cached, async () => {
    if (opts.s3Uri) {
      await new S3Source(opts.s3Uri, opts.s3Client).fetchTo(dest, expected);
      return resolved('s3');
    }
    if (opts.allowConvert === false) {
      throw new ModelNotFoundError(
        `The local safety model ${pin.name} is not in ${dir} and conversion is off. Set its S3 URI (the stack uploads it) or its path.`,
      );
    }
    await convertInto(dest, pin);
    return resolved('converted');
  });
}
