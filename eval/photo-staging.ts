/**
 * How a labelled photo on this machine reaches a deployed stack, whose FetchImage cannot read local
 * files: `base-url`, where the user already hosts the same tree of files (the URL is the photo's path
 * under the labels file's directory), or `uploads`, the publisher's own way to send bytes (the stack's
 * POST /uploads, a presigned PUT into its staging bucket, then the s3:// URL; eval/upload-staging.ts).
 */
import path from 'node:path';
import { ConfigError, InvalidInput } from '../functions/shared/errors.js';
import type { LabelledImage } from './labels.js';

export interface PhotoStaging {
  kind: 'uploads' | 'base-url';
  /** The imageUrl the stack's FetchImage reads this photo from. */
  urlOf(img: LabelledImage): Promise<string>;
}

/** Parses --base-url: an http(s) URL, taken as a directory (a missing trailing slash is added). */
export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--base-url ${text} is not a URL: give where the labels file's directory is served, e.g. https://photos.example.com/eval/`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`--base-url must be an https:// URL the stack can fetch, got ${url.protocol}`);
  if (url.search || url.hash) throw new ConfigError('--base-url must not carry a query or fragment: photos are addressed by their path under it.');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export function baseUrlStaging(baseUrl: URL, labelsPath: string): PhotoStaging {
  const root = path.dirname(path.resolve(labelsPath));
  return {
    kind: 'base-url',
    async urlOf(img) {
      const rel = path.relative(root, img.path);
      if (rel.startsWith('..') || path.isAbsolute(rel))
        throw new InvalidInput(`${img.file} is outside ${root}: with --base-url every photo must be under the labels file's directory, as it is served.`);
      return new URL(rel.split(path.sep).map(encodeURIComponent).join('/'), baseUrl).href;
    },
  };
}
