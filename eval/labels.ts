/**
 * The labelled photo list eval reads: a TSV with a header `file  expected  category`, `file` relative to
 * the labels file, `expected` one of approve | flag | either, and for flags the Rekognition top-level
 * category a moderator would file it under. Optional relevance columns: `post` (a post's title or text)
 * and `relevant` (yes | no), and `style` to group posts in the report; with them a file may appear once
 * per post. An optional `quality` column says ok | low. Parsed strictly: a typo must not silently drop a photo.
 */
import path from 'node:path';
import { InvalidInput } from '../functions/shared/errors.js';
import { isTopLevelCategory, type ModerationCategory, TOP_LEVEL_CATEGORIES } from '../functions/aggregate/moderation-taxonomy.js';

export type Expected = 'approve' | 'flag' | 'either';

export interface LabelledImage {
  /** As written in the labels file (what reports show). */
  file: string;
  /** Absolute path on this machine. */
  path: string;
  expected: Expected;
  category?: ModerationCategory;
  /** Optional `quality` column: ok | low (what a careful editor would say of the photo's fitness). */
  quality?: 'ok' | 'low';
  /** Line number in the labels file, for messages. */
  line?: number;
  /** Relevance rows: the post this photo is judged against, whether it fits it, and an optional group. */
  post?: string;
  relevant?: boolean;
  style?: string;
}

export function parseLabels(text: string, labelsPath: string): LabelledImage[] {
  const base = path.dirname(path.resolve(labelsPath));
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('file') < 0 || col('expected') < 0) {
    throw new InvalidInput(
      `${labelsPath}: the first line must be a tab-separated header with at least "file" and "expected" (and "category" for flags); got "${lines[0] ?? ''}".`,
    );
  }
  const out: LabelledImage[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cells = line.split('\t').map((c) => c.trim());
    const where = `${labelsPath}:${i + 2}`;
    const file = cells[col('file')] ?? '';
    const expected = cells[col('expected')] ?? '';
    const category = col('category') >= 0 ? (cells[col('category')] ?? '') : '';
    const quality = col('quality') >= 0 ? (cells[col('quality')] ?? '') : '';
    if (quality && quality !== 'ok' && quality !== 'low') throw new InvalidInput(`${where}: quality must be ok or low (or empty); got "${quality}".`);
    if (!file) throw new InvalidInput(`${where}: empty file column.`);
    if (expected !== 'approve' && expected !== 'flag' && expected !== 'either') {
      throw new InvalidInput(`${where}: expected must be approve, flag or either; got "${expected}".`);
    }
    if (category && !isTopLevelCategory(category)) {
      throw new InvalidInput(`${where}: unknown category "${category}"; use one of ${TOP_LEVEL_CATEGORIES.join(', ')}.`);
    }
    if (expected === 'flag' && !category) throw new InvalidInput(`${where}: a flag row needs the category a moderator would file it under.`);
    const post = col('post') >= 0 ? (cells[col('post')] ?? '') : '';
    const relevant = col('relevant') >= 0 ? (cells[col('relevant')] ?? '') : '';
    const style = col('style') >= 0 ? (cells[col('style')] ?? '') : '';
    if ((post === '') !== (relevant === '')) throw new InvalidInput(`${where}: a relevance row needs both post and relevant (yes or no).`);
    if (relevant && relevant !== 'yes' && relevant !== 'no') throw new InvalidInput(`${where}: relevant must be yes or no; got "${relevant}".`);
    const key = `${file}\t${post}`;
    if (seen.has(key)) throw new InvalidInput(`${where}: ${file} is listed twice${post ? ` for the post "${post}"` : ''}.`);
    seen.add(key);
    out.push({
      file,
      path: path.resolve(base, file),
      expected,
      line: i + 2,
      ...(category ? { category: category as ModerationCategory } : {}),
      ...(post ? { post, relevant: relevant === 'yes', ...(style ? { style } : {}) } : {}),
      ...(quality ? { quality: quality as 'ok' | 'low' } : {}),
    });
  });
  if (!out.length) throw new InvalidInput(`${labelsPath} lists no images.`);
  return out;
}
