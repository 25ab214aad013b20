/**
 * `npx tsx eval/near-duplicates.ts [labels.tsv] [--json]`: calibrates near-duplicate memory on real
 * photos. Every listed photo and each of its degraded copies (eval/degrade.ts) is decoded into the view
 * FetchImage makes (decodeView) and hashed; it reports, per copy, how many are recognised (by distance,
 * and through the band index the stores use), and how many pairs of distinct photos would be taken for
 * one another: all pairs of the originals, and all pairs of distinct photos among the originals and their
 * must-match copies.
 */
import { readFileSync } from 'node:fs';
import { parseLabels } from './labels.js';
import { DEGRADATIONS } from './degrade.js';
import { decodeView } from '../functions/shared/pixels/view.js';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import type { PerceptualHashes } from '../functions/shared/contracts/index.js';
import { perceptualHashes } from '../functions/shared/perceptual-hash.js';
import { DHASH_LIMIT, PHASH_LIMIT, indexKeys, nearMatch, probeKeys } from '../functions/shared/near-duplicate.js';

const args = process.argv.slice(2);
const labelsPath = args.find((a) => !a.startsWith('--')) ?? '../shared/images/labels.tsv';
const photos = parseLabels(readFileSync(labelsPath, 'utf8'), labelsPath);

const keySet = (keys: { band: number; value: number }[]) => new Set(keys.map((k) => k.band * 65536 + k.value));
interface Hashed {
  photo: number;
  copy: string;
  hashes: PerceptualHashes;
  /** pHash whole and centre as 32-bit halves, for the all-pairs prefilter. */
  words: Uint32Array;
  index: Set<number>;
  probes: Set<number>;
}

function hashedOf(photo: number, copy: string, hashes: PerceptualHashes): Hashed {
  const words = Uint32Array.from([hashes.pHash, hashes.innerPHash].flatMap((h) => [parseInt(h.slice(0, 8), 16), parseInt(h.slice(8), 16)]));
  return { photo, copy, hashes, words, index: keySet(indexKeys(hashes)), probes: keySet(probeKeys(hashes)) };
}

const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};
/** Smallest pHash distance over the window pairs nearMatch compares (whole-whole, whole-centre, centre-whole). */
function minPHashDistance(a: Hashed, b: Hashed): number {
  const d = (i: number, j: number) => popcount((a.words[i] ^ b.words[j]) >>> 0) + popcount((a.words[i + 1] ^ b.words[j + 1]) >>> 0);
  return Math.min(d(0, 0), d(0, 2), d(2, 0));
}
const foundByIndex = (query: Hashed, stored: Hashed) => [...query.probes].some((k) => stored.index.has(k));

const started = performance.now();
const originals: Hashed[] = [];
const copies = new Map<string, Hashed[]>(DEGRADATIONS.map((d) => [d.name, []]));
let hashCpuUs = 0;
let hashed = 0;
for (const [i, photo] of photos.entries()) {
  const bytes = readFileSync(photo.path);
  const hashOne = async (b: Buffer) => {
    const view = await decodeView(b, DEFAULT_LIMITS);
    const cpu = process.cpuUsage();
    const h = perceptualHashes(view);
    const used = process.cpuUsage(cpu);
    hashCpuUs += used.user + used.system;
    hashed++;
    return h;
  };
  originals.push(hashedOf(i, 'original', await hashOne(bytes)));
  for (const d of DEGRADATIONS) copies.get(d.name)!.push(hashedOf(i, d.name, await hashOne(await d.make(bytes))));
  if (!args.includes('--json') && i % 50 === 49) process.stderr.write(`${i + 1}/${photos.length} photos hashed\n`);
}

const perCopy = DEGRADATIONS.map((d) => {
  const list = copies.get(d.name)!;
  const distances = list.map((c) => minPHashDistance(originals[c.photo], c)).sort((a, b) => a - b);
  // Both directions: the copy arrives after the original, and the original after the copy.
  const recognised = list.filter((c) => nearMatch(c.hashes, originals[c.photo].hashes) && foundByIndex(c, originals[c.photo])).length;
  const recognisedReverse = list.filter((c) => nearMatch(originals[c.photo].hashes, c.hashes) && foundByIndex(originals[c.photo], c)).length;
  const byDistance = list.filter((c) => nearMatch(c.hashes, originals[c.photo].hashes)).length;
  return {
    copy: d.name,
    mustMatch: d.mustMatch,
    recognised,
    recognisedReverse,
    byDistance,
    of: list.length,
    distance: { median: distances[distances.length >> 1], p99: distances[Math.floor(distances.length * 0.99)], max: distances[distances.length - 1] },
  };
});

/** Pairs of distinct photos in `set`, the closest pHash distance seen, and how many nearMatch accepts. */
function distinctPairs(set: Hashed[]) {
  let pairs = 0;
  let closest = 64;
  const falseMatches: Array<{ a: string; b: string; distance: number; dHashDistance: number }> = [];
  const within = new Array<number>(PHASH_LIMIT + 5).fill(0);
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      if (set[i].photo === set[j].photo) continue;
      pairs++;
      const d = minPHashDistance(set[i], set[j]);
      if (d < closest) closest = d;
      if (d < within.length) within[d]++;
      if (d > PHASH_LIMIT) continue;
      const m = nearMatch(set[i].hashes, set[j].hashes) ?? nearMatch(set[j].hashes, set[i].hashes);
      if (m) {
        const name = (h: Hashed) => `${photos[h.photo].file} (${h.copy})`;
        falseMatches.push({ a: name(set[i]), b: name(set[j]), distance: m.distance, dHashDistance: m.dHashDistance });
      }
    }
  }
  return { pairs, closestPHashDistance: closest, pairsByPHashDistance: within, falseMatches };
}

const mustMatch = DEGRADATIONS.filter((d) => d.mustMatch).flatMap((d) => copies.get(d.name)!);
const report = {
  photos: photos.length,
  limits: { pHash: PHASH_LIMIT, dHash: DHASH_LIMIT },
  hashCpuUsPerImage: Math.round(hashCpuUs / hashed),
  perCopy,
  distinctOriginals: distinctPairs(originals),
  distinctWithCopies: distinctPairs([...originals, ...mustMatch]),
  seconds: Math.round((performance.now() - started) / 1000),
};

if (args.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  console.log(`${report.photos} photos; match = pHash <= ${PHASH_LIMIT} and dHash <= ${DHASH_LIMIT} bits; hash ${report.hashCpuUsPerImage} us CPU per image`);
  for (const c of perCopy) {
    console.log(
      `  ${c.copy.padEnd(15)} ${c.mustMatch ? 'must match ' : 'not caught '} recognised ${c.recognised}/${c.of} (reverse ${c.recognisedReverse}, by distance ${c.byDistance})  pHash distance median ${c.distance.median} p99 ${c.distance.p99} max ${c.distance.max}`,
    );
  }
  for (const [name, r] of [
    ['originals', report.distinctOriginals],
    ['originals + must-match copies', report.distinctWithCopies],
  ] as const) {
    console.log(
      `  distinct pairs of ${name}: ${r.pairs}, false matches ${r.falseMatches.length}, closest pHash distance ${r.closestPHashDistance}, pairs at 0..${r.pairsByPHashDistance.length - 1}: ${r.pairsByPHashDistance.join(' ')}`,
    );
    for (const f of r.falseMatches.slice(0, 10)) console.log(`    ${f.a} ~ ${f.b}: pHash ${f.distance}, dHash ${f.dHashDistance}`);
  }
  console.log(`  ${report.seconds} s`);
}
