/**
 * When two pictures count as the same one (near-duplicates), and how a store finds the candidates
 * without reading every record (multi-index hashing: Norouzi, Punjani and Fleet, "Fast Search in
 * Hamming Space with Multi-Index Hashing", CVPR 2012).
 *
 * A stored picture is indexed under the four 16-bit bands of its whole-picture pHash and of its centre
 * pHash. A lookup probes each band of the query's two pHashes at the band's value and at its 16
 * one-bit neighbours: any pair within 7 bits has a band within 1 bit (pigeonhole over 4 bands), so
 * every pair the threshold accepts (8 bits; balanced hashes differ by an even count) is found unless
 * its 8 differing bits fall exactly 2 per band. Candidates are then verified on their stored hashes.
 * Thresholds and the measured rates: README.md ("Near-duplicate memory").
 */
import type { PerceptualHashes } from './contracts/index.js';
import { hammingDistance } from './perceptual-hash.js';

/** A pHash within this many bits (of 64), and the dHash of the same windows within DHASH_LIMIT. */
export const PHASH_LIMIT = 8;
export const DHASH_LIMIT = 14;

export const BAND_COUNT = 4;
const BAND_BITS = 16;

/** Which windows matched: whole against whole, or one side's whole picture against the other's centre (a crop). */
export type MatchedWindows = 'whole' | 'query-cropped' | 'stored-cropped';

export interface NearMatch {
  /** pHash bits that differ (0-64). */
  distance: number;
  dHashDistance: number;
  windows: MatchedWindows;
}

const PAIRS: Array<{ windows: MatchedWindows; query: 'whole' | 'inner'; stored: 'whole' | 'inner' }> = [
  { windows: 'whole', query: 'whole', stored: 'whole' },
  // The query is a crop of the stored picture: its whole equals the stored centre.
  { windows: 'query-cropped', query: 'whole', stored: 'inner' },
  { windows: 'stored-cropped', query: 'inner', stored: 'whole' },
];

const pick = (h: PerceptualHashes, w: 'whole' | 'inner') => (w === 'whole' ? { p: h.pHash, d: h.dHash } : { p: h.innerPHash, d: h.innerDHash });

/** The closest accepted window pair, or undefined when the two are different pictures. */
export function nearMatch(query: PerceptualHashes, stored: PerceptualHashes): NearMatch | undefined {
  let best: NearMatch | undefined;
  for (const pair of PAIRS) {
    const q = pick(query, pair.query);
    const s = pick(stored, pair.stored);
    const distance = hammingDistance(q.p, s.p);
    if (distance > PHASH_LIMIT) continue;
    const dHashDistance = hammingDistance(q.d, s.d);
    if (dHashDistance > DHASH_LIMIT) continue;
    if (!best || distance < best.distance || (distance === best.distance && dHashDistance < best.dHashDistance))
      best = { distance, dHashDistance, windows: pair.windows };
  }
  return best;
}

/** One index key: band number (0-3) and its 16-bit value. */
export interface BandKey {
  band: number;
  value: number;
}

/** The keys a picture is stored under: every band of both pHashes (8 keys, duplicates dropped). */
export function indexKeys(h: PerceptualHashes): BandKey[] {
  return uniqueKeys([h.pHash, h.innerPHash].flatMap(bandsOf));
}

/** The keys a lookup reads: each band of both pHashes and its one-bit neighbours (at most 136 keys). */
export function probeKeys(h: PerceptualHashes): BandKey[] {
  return uniqueKeys(
    [h.pHash, h.innerPHash].flatMap(bandsOf).flatMap((k) => [k, ...Array.from({ length: BAND_BITS }, (_, b) => ({ band: k.band, value: k.value ^ (1 << b) }))]),
  );
}

function bandsOf(hex: string): BandKey[] {
  return Array.from({ length: BAND_COUNT }, (_, band) => ({ band, value: parseInt(hex.slice(band * 4, band * 4 + 4), 16) }));
}

function uniqueKeys(keys: BandKey[]): BandKey[] {
  const seen = new Map<number, BandKey>();
  for (const k of keys) seen.set(k.band * 65536 + k.value, k);
  return [...seen.values()];
}
