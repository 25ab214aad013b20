/**
 * The operator's blocklist (`npm run review -- block <file or sha256>`): a picture recorded as
 * rejected by a person under BLOCKLIST_RULESET and indexed like any decision, so every lookup (under any
 * ruleset) answers its near-duplicates as rejected, with a `near-duplicate` reason naming the block.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { PerceptualHashes, StagedImage, VerdictRecord } from '../contracts/index.js';
import { InvalidInput } from '../errors.js';
import { readImageHeader } from '../image-header.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { perceptualHashes } from '../perceptual-hash.js';
import { decodeView } from '../pixels/view.js';
import { BLOCKLIST_REASON, BLOCKLIST_RULESET, checkModerator, checkSha256 } from './rules.js';
import type { VerdictStore } from './store.js';

export type BlockTarget = { file: string; bytes: Buffer } | { sha256: string };

/** The picture's pointer with its hashes: decoded from the file, or taken from a record of that sha256. */
async function pictureOf(store: VerdictStore, target: BlockTarget): Promise<StagedImage & { perceptualHashes: PerceptualHashes }> {
  if ('bytes' in target) {
    const header = await readImageHeader(target.bytes, DEFAULT_LIMITS);
    const view = await decodeView(target.bytes, DEFAULT_LIMITS);
    const sha256 = createHash('sha256').update(target.bytes).digest('hex');
    const { href } = pathToFileURL(target.file);
    return {
      uri: href,
      key: '',
      sha256,
      bytes: target.bytes.length,
      format: header.format,
      width: header.width,
      height: header.height,
      perceptualHashes: perceptualHashes(view),
    };
  }
  const sha256 = checkSha256(target.sha256);
  const image = (await store.findVerdicts({ sha256 })).map((r) => r.verdict.image).find((i) => i?.perceptualHashes);
  if (!image?.perceptualHashes) {
    throw new InvalidInput(
      `No record of image ${sha256} carries its perceptual hashes, so its near-duplicates cannot be found. Block the file instead: npm run review -- block <file>.`,
    );
  }
  return { ...image, perceptualHashes: image.perceptualHashes };
}

export async function blockImage(store: VerdictStore, target: BlockTarget, by: string, opts: { note?: string; at?: string } = {}): Promise<VerdictRecord> {
  const who = checkModerator(by);
  const image = await pictureOf(store, target);
  const at = opts.at ?? new Date().toISOString();
  return store.putVerdict({
    sha256: image.sha256,
    ruleset: BLOCKLIST_RULESET,
    at,
    verdict: {
      decision: 'reject',
      decidedBy: who,
      decidedAt: at,
      reasons: [{ code: BLOCKLIST_REASON, message: `Blocked by ${who}${opts.note ? `: ${opts.note}` : '.'}` }],
      seoTags: [],
      altText: '',
      labels: [],
      moderation: [],
      image,
      ...(opts.note !== undefined ? { note: opts.note } : {}),
    },
  });
}
