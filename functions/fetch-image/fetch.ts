/**
 * The FetchImage core: get the bytes (http(s) under the address policy, s3://, or a local file when
 * allowed), prove they are an image we accept, and only then stage them content-addressed. Nothing is
 * staged unless every check passed.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { CheckedView, FetchImageOutput, ModerationInput } from '../shared/contracts/index.js';
import { EmptyImage, FetchBlocked, InvalidInput, UnsupportedImageFormat } from '../shared/errors.js';
import { ACCEPTED_FORMATS_TEXT, readImageHeader } from '../shared/image-header.js';
import { perceptualHashes } from '../shared/perceptual-hash.js';
import { decodeImage } from '../shared/pixels/decode.js';
import type { PixelView } from '../shared/pixels/view.js';
import { phase, phaseSync } from '../shared/telemetry/phases.js';
import type { RasterCache } from '../shared/raster.js';
import { readQuantTables } from '../shared/quality/jpeg-quality.js';
import { measureQuality } from '../shared/quality/measure.js';
import type { StagingStore } from '../shared/staging/index.js';
import type { FetchConfig } from './config.js';
import { download } from './download.js';
import { describeContent, sniffFormat } from './sniff.js';
import { readLocalFile, readS3 } from './sources.js';
import { renderViews } from './views.js';

export interface FetchDeps {
  store: StagingStore;
  config: FetchConfig;
  /** Created on first s3:// input when not given. */
  s3?: () => Promise<S3Client>;
  /** Local mode: the validation decode is kept for the analysis steps (functions/shared/raster.ts). */
  rasters?: RasterCache;
}

export type SourceKind = 'http' | 's3' | 'file';

export function sourceKind(imageUrl: string): SourceKind {
  if (/^https?:\/\//i.test(imageUrl)) return 'http';
  if (/^s3:\/\//i.test(imageUrl)) return 's3';
  if (/^file:\/\//i.test(imageUrl) || !/^[a-z][a-z0-9+.-]*:/i.test(imageUrl) || /^[a-z]:[\\/]/i.test(imageUrl)) return 'file';
  // Any other scheme (ftp:, javascript:, data:, gopher:) is refused outright.
  throw new FetchBlocked(`The ${imageUrl.split(':')[0]}: scheme is not fetched; send an https:// URL of the image.`);
}

async function readBytes(input: ModerationInput, deps: FetchDeps): Promise<Buffer> {
  const { config } = deps;
  switch (sourceKind(input.imageUrl)) {
    case 'http':
      return (await download(input.imageUrl, config, config)).body;
    case 's3': {
      if (!deps.s3) throw new InvalidInput('s3:// images need an S3 client; this deployment has none configured.');
      return readS3(input.imageUrl, config.maxBytes, await deps.s3());
    }
    case 'file':
      if (!config.allowLocalFiles) {
        throw new FetchBlocked('Local file paths are accepted by the local CLI only; send an https:// or s3:// URL.');
      }
      return readLocalFile(input.imageUrl, config.maxBytes);
  }
}

/** The step's output and the view its one decode made (what per-image measures read). */
export interface FetchedImage {
  output: FetchImageOutput;
  view: PixelView;
}

export async function fetchImage(input: ModerationInput, deps: FetchDeps): Promise<FetchImageOutput> {
  return (await fetchImageWithView(input, deps)).output;
}

export async function fetchImageWithView(input: ModerationInput, deps: FetchDeps): Promise<FetchedImage> {
  const bytes = await phase('read', () => readBytes(input, deps));
  if (bytes.length === 0) throw new EmptyImage('The image is empty (0 bytes). Check the URL or file.');
  const sniffed = sniffFormat(bytes);
  if (!sniffed) throw new UnsupportedImageFormat(`The content is ${describeContent(bytes)}, not ${ACCEPTED_FORMATS_TEXT}.`);
  const header = await phase('header', () => readImageHeader(bytes, deps.config));
  // The magic bytes must agree with the decoder: a polyglot that one parser reads as an image and
  // another as something else is refused. (AVIF and HEIF share a container; sharp names both heif.)
  const heifFamily = (f: string) => f === 'heif' || f === 'avif';
  if (sniffed !== header.format && !(heifFamily(sniffed) && heifFamily(header.format))) {
    throw new UnsupportedImageFormat(`The file starts like ${sniffed} but decodes as ${header.format}; refusing an ambiguous file.`, {
      sniffed,
      decoded: header.format,
    });
  }
  // Anything Rekognition cannot read as it is, every frame and every meaningful alpha: JPEG views,
  // decoded once here; their first view is also the image's pixel view.
  const plan = await phase('views', () => renderViews(bytes, header, deps.config));
  // One decode proves every pixel decodes (before anything is stored) and gives the view; locally also
  // the full-size raster the models reuse, when that is exact.
  const { view, raster } =
    plan.kind === 'original'
      ? await phase('decode', () => decodeImage(bytes, header, deps.config, { keepRaster: deps.rasters !== undefined }))
      : { view: plan.pixelView, raster: undefined };
  // Quality from the same view (never a second decode); the JPEG's quantisation tables from its header.
  const quality = phaseSync('quality', () => measureQuality(view, header, readQuantTables(bytes)));
  const sha256 = phaseSync('hash', () => createHash('sha256').update(bytes).digest('hex'));
  // Near-duplicate memory: from the view just decoded, never a second decode.
  const hashes = phaseSync('perceptual hash', () => perceptualHashes(view));
  const ptr = await phase('staging I/O', () => deps.store.put(bytes, { sha256, format: header.format }));
  if (raster) deps.rasters?.put(sha256, raster);
  const image = { ...ptr, sha256, bytes: bytes.length, format: header.format, width: header.width, height: header.height, perceptualHashes: hashes, quality };
  const checks: CheckedView[] =
    plan.kind === 'original'
      ? [{ ...ptr, sha256, bytes: bytes.length, format: header.format as 'jpeg' | 'png', width: header.width, height: header.height }]
      : await phase('staging I/O', () =>
          Promise.all(
            plan.views.map(async ({ jpeg, ...v }) => {
              const viewSha = createHash('sha256').update(jpeg).digest('hex');
              return {
                ...(await deps.store.put(jpeg, { sha256: viewSha, format: 'jpeg' })),
                sha256: viewSha,
                bytes: jpeg.length,
                format: 'jpeg' as const,
                ...v,
              };
            }),
          ),
        );
  return { output: { image: { ...image, ...(header.pages > 1 ? { frames: header.pages } : {}), checks } }, view };
}
