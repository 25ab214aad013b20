import type { S3Client } from '@aws-sdk/client-s3';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, describeError, ModelIntegrityError, ModelNotFoundError } from '../errors.js';
import type { Expected } from './atomic.js';
import { DEFAULT_LOCAL_MODEL, findCatalogEntry, IMAGENET_SYNSET, listCatalog } from './catalog.js';
import { isSynsetFormat } from './labels.js';
import { exists, produceOnce } from './lock.js';
import { parseManifest, type ModelManifest } from './manifest.js';
import type { ModelSourceKind, ResolvedModel } from './resolved.js';
import { MirrorSource, parseS3Uri, S3Source, UrlSource, type ModelSource } from './sources.js';
import { fileSha256Once, verifiedCacheHit } from './verify.js';
import { makeDirs, removeIfEmpty } from '../writable-dir.js';

export type { ModelSourceKind, ResolvedModel } from './resolved.js';

export interface ModelStoreOptions {
  /** Catalog name (default DEFAULT_LOCAL_MODEL when no path is given). */
  name?: string;
  /** An explicit model file, used in place (never copied, never deleted). */
  path?: string;
  /** Content-addressed cache: <cacheDir>/<name>/<sha256>.onnx, <cacheDir>/labels/<sha256>.txt. */
  cacheDir: string;
  /** Offline mirror laid out as <mirrorDir>/<name>/{manifest.json, model.onnx, labels.txt}. */
  mirrorDir?: string;
  /** s3://bucket/key of the model; its labels are read from the same prefix under the manifest's labels name. */
  s3Uri?: string;
  /** Overrides the pinned sha256 of the model file. */
  sha256?: string;
  /** Whether the public URL may be tried (default true). */
  allowDownload?: boolean;
  /** Defaults to the built-in catalog (models/catalog.json). */
  catalog?: readonly ModelManifest[];
  s3Client?: S3Client;
  urlTimeoutMs?: number;
  /** A lock untouched this long belongs to a dead process and is taken over (default 60 s). */
  lockStaleMs?: number;
  /** How often a waiting process looks at the lock and the cache (default 200 ms). */
  lockPollMs?: number;
}

/** One place that could have provided the file, and why it did not: the not-found message lists them. */
type Attempt = string;

/**
 * Resolves a model and its labels to verified local files. Order: the explicit path; then the cache;
 * then, under a lock, the mirror, S3 and the public URL (each copied into the cache, verified, renamed).
 */
export async function resolveModel(opts: ModelStoreOptions): Promise<ResolvedModel> {
  const catalog = opts.catalog ?? listCatalog();
  const cacheDir = path.resolve(opts.cacheDir);
  if (opts.path) return resolveExplicitPath(opts, catalog, cacheDir);

  const name = opts.name ?? DEFAULT_LOCAL_MODEL;
  const manifest = await manifestByName(name, catalog, opts.mirrorDir);
  const expected: Expected = { sha256: (opts.sha256 ?? manifest.sha256).toLowerCase(), bytes: opts.sha256 ? undefined : manifest.bytes };

  const modelPath = path.join(cacheDir, name, `${expected.sha256}.onnx`);
  const sources = sourcesFor(opts, { dirName: name, fileNames: ['model.onnx', manifest.file], s3Uri: opts.s3Uri, url: manifest.url });
  const model = await ensureCached(modelPath, expected, sources, describeModel(manifest, expected), opts);
  const labels = await resolveLabels(manifest, opts, cacheDir, undefined);
  return { manifest, modelPath, sha256: expected.sha256, source: model, ...labels };
}

/** Where a file may come from, in the store's order (mirror → S3 → public URL), and which of them are set up at all. */
interface Sources {
  list: ModelSource[];
  configured: { mirror: boolean; s3: boolean; url: boolean };
}

function sourcesFor(opts: ModelStoreOptions, f: { dirName: string; fileNames: string[]; s3Uri?: string; url?: string }): Sources {
  const list: ModelSource[] = [];
  if (opts.mirrorDir) list.push(new MirrorSource(opts.mirrorDir, f.dirName, [...new Set(f.fileNames)]));
  if (f.s3Uri) list.push(new S3Source(f.s3Uri, opts.s3Client));
  if (f.url && opts.allowDownload !== false) list.push(new UrlSource(f.url, opts.urlTimeoutMs));
  return { list, configured: { mirror: opts.mirrorDir !== undefined, s3: f.s3Uri !== undefined, url: f.url !== undefined } };
}

/** The S3 URI of `file` beside the model (labels are uploaded next to it). */
function besideModelInS3(modelUri: string | undefined, file: string): string | undefined {
  if (!modelUri) return undefined;
  const { bucket, key } = parseS3Uri(modelUri);
  return `s3://${bucket}/${key.slice(0, key.lastIndexOf('/') + 1)}${file}`;
}

function describeModel(manifest: ModelManifest, expected: Expected): string {
  return `model ${manifest.name} (sha256 ${expected.sha256.slice(0, 12)}…)`;
}

async function manifestByName(name: string, catalog: readonly ModelManifest[], mirrorDir?: string): Promise<ModelManifest> {
  const entry = findCatalogEntry(name, catalog);
  if (entry) return entry;
  // A model only the mirror knows (its manifest.json is the contract).
  if (mirrorDir) {
    const file = path.join(mirrorDir, name, 'manifest.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return parseManifest(JSON.parse(text), file);
  }
  throw new ModelNotFoundError(
    `Model ${JSON.stringify(name)} is not in the catalog${mirrorDir ? ` nor in the mirror ${mirrorDir}` : ''}. ` +
      `Known models: ${catalog.map((m) => m.name).join(', ')}. Set MODEL_NAME to one of them, or MODEL_PATH to a model file with its manifest.json beside it.`,
    { name, known: catalog.map((m) => m.name) },
  );
}

async function resolveExplicitPath(opts: ModelStoreOptions, catalog: readonly ModelManifest[], cacheDir: string): Promise<ResolvedModel> {
  const modelPath = path.resolve(opts.path!);
  const s = await stat(modelPath).catch(() => undefined);
  if (!s?.isFile()) {
    throw new ModelNotFoundError(`MODEL_PATH ${modelPath} is not a file. Point MODEL_PATH at an .onnx file, or unset it to use the catalog.`, {
      path: modelPath,
    });
  }
  const actual = await fileSha256Once(modelPath);
  const beside = path.join(path.dirname(modelPath), 'manifest.json');
  let manifest: ModelManifest | undefined;
  if (opts.name) manifest = await manifestByName(opts.name, catalog, opts.mirrorDir);
  else if (await exists(beside)) manifest = parseManifest(JSON.parse(await readFile(beside, 'utf8')), beside);
  else manifest = catalog.find((m) => m.sha256 === actual);
  if (!manifest) {
    throw new ConfigError(
      `MODEL_PATH ${modelPath} (sha256 ${actual}) has no manifest.json beside it and matches no catalog model; ` +
        'put its manifest.json next to it or set MODEL_NAME to the catalog model it is.',
      { path: modelPath },
    );
  }
  const want = (opts.sha256 ?? manifest.sha256).toLowerCase();
  if (actual !== want) {
    // The caller's own file: reported, never deleted.
    throw new ModelIntegrityError(
      `MODEL_PATH ${modelPath} has sha256 ${actual}, but ${manifest.name} is pinned to ${want}. ` +
        'Use the pinned file, or set MODEL_SHA256 if you changed the model on purpose.',
      { path: modelPath, expected: want, actual },
    );
  }
  const labels = await resolveLabels(manifest, opts, cacheDir, path.dirname(modelPath));
  return { manifest, modelPath, sha256: actual, source: 'path', ...labels };
}

/** The labels file (and, for names-only labels, the synset list that gives their wnids). */
async function resolveLabels(
  manifest: ModelManifest,
  opts: ModelStoreOptions,
  cacheDir: string,
  besideDir: string | undefined,
): Promise<{ labelsPath: string; synsetPath?: string }> {
  const labelsPath = await resolvePlainFile(
    {
      file: manifest.output.labels,
      sha256: manifest.output.labelsSha256,
      url: manifest.output.labelsUrl,
      dirName: manifest.name,
    },
    opts,
    cacheDir,
    besideDir,
  );
  if (isSynsetFormat(await readFile(labelsPath, 'utf8'))) return { labelsPath };
  const synsetPath = await resolvePlainFile(
    { file: IMAGENET_SYNSET.file, sha256: IMAGENET_SYNSET.sha256, bytes: IMAGENET_SYNSET.bytes, url: IMAGENET_SYNSET.url, dirName: 'imagenet-synset' },
    opts,
    cacheDir,
    undefined,
  );
  return { labelsPath, synsetPath };
}

async function resolvePlainFile(
  f: { file: string; sha256?: string; bytes?: number; url?: string; dirName: string },
  opts: ModelStoreOptions,
  cacheDir: string,
  besideDir: string | undefined,
): Promise<string> {
  if (besideDir) {
    const p = path.join(besideDir, f.file);
    if (await exists(p)) {
      if (!f.sha256) return p;
      const actual = await fileSha256Once(p);
      if (actual === f.sha256) return p;
      throw new ModelIntegrityError(
        `Labels file ${p} has sha256 ${actual}, expected ${f.sha256}. Replace it with the pinned file or remove it to fetch the pinned one.`,
        { path: p, expected: f.sha256, actual },
      );
    }
  }
  if (!f.sha256) {
    // Unpinned labels (a custom manifest) can only be trusted from the model's own mirror directory.
    const p = opts.mirrorDir ? path.join(opts.mirrorDir, f.dirName, f.file) : undefined;
    if (p && (await exists(p))) return p;
    throw new ModelNotFoundError(
      `Labels ${f.file} for ${f.dirName} have no pinned sha256 and are not beside the model or in the mirror. ` +
        'Add output.labelsSha256 to the manifest or put the labels file next to the model.',
      { file: f.file },
    );
  }
  const expected: Expected = { sha256: f.sha256, bytes: f.bytes };
  const sources = sourcesFor(opts, {
    dirName: f.dirName,
    fileNames: [f.file, 'labels.txt', 'synset.txt'],
    s3Uri: besideModelInS3(opts.s3Uri, f.file),
    url: f.url,
  });
  const cachePath = path.join(cacheDir, 'labels', `${f.sha256}.txt`);
  await ensureCached(cachePath, expected, sources, `labels ${f.file} for ${f.dirName} (sha256 ${f.sha256.slice(0, 12)}…)`, opts);
  return cachePath;
}

/**
 * Makes cachePath a verified copy of the expected file and says where it came from. Only one process
 * per cache directory fetches (lock file); the others wait until the file appears and verify it
 * themselves, or take over when the holder gave up or died.
 */
async function ensureCached(cachePath: string, expected: Expected, sources: Sources, what: string, opts: ModelStoreOptions): Promise<ModelSourceKind> {
  if (await verifiedCacheHit(cachePath, expected.sha256)) return 'cache';
  // The Lambda: its EFS mount, with the access point owned by the function user.
  const created = await makeDirs(path.dirname(cachePath), 'MODEL_CACHE_DIR');
  const cached = async () => ((await verifiedCacheHit(cachePath, expected.sha256)) ? ('cache' as const) : undefined);
  try {
    return await produceOnce(`${cachePath}.lock`, { staleMs: opts.lockStaleMs ?? 60_000, pollMs: opts.lockPollMs ?? 200 }, cached, () =>
      fetchFromSources(cachePath, expected, sources, what, opts),
    );
  } catch (err) {
    // A model nobody could provide leaves no empty <cache>/<name>/ behind.
    await removeIfEmpty(created);
    throw err;
  }
}

async function fetchFromSources(
  cachePath: string,
  expected: Expected,
  { list, configured }: Sources,
  what: string,
  opts: ModelStoreOptions,
): Promise<ModelSourceKind> {
  const attempts: Attempt[] = [`cache ${cachePath}: absent`];
  for (const source of list) {
    try {
      await source.fetchTo(cachePath, expected);
      return source.kind;
    } catch (err) {
      if (err instanceof ModelIntegrityError) throw err;
      attempts.push(`${source.describe()}: ${describeError(err).message.replace(/\.$/, '')}`);
    }
  }
  if (!configured.mirror) attempts.push('mirror: MODEL_MIRROR not set');
  if (!configured.s3) attempts.push('S3: MODEL_S3_URI not set');
  if (!configured.url) attempts.push('public URL: none in the catalog (mirror-only model)');
  else if (opts.allowDownload === false) attempts.push('public URL: downloads disabled (MODEL_ALLOW_DOWNLOAD=false)');
  throw new ModelNotFoundError(
    `Could not find ${what}. Tried: ${attempts.join('; ')}. ` +
      'Set MODEL_MIRROR=../shared/models (the offline mirror), MODEL_PATH=/path/to/model.onnx, ' +
      'MODEL_S3_URI=s3://bucket/key, or allow the download from a machine with internet.',
    { attempts, cachePath },
  );
}
