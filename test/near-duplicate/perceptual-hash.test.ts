import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeView } from '../../functions/shared/pixels/view.js';
import { DEFAULT_LIMITS } from '../../functions/shared/limits.js';
import type { PerceptualHashes } from '../../functions/shared/contracts/index.js';
import { hammingDistance, perceptualHashes } from '../../functions/shared/perceptual-hash.js';
import { BAND_COUNT, PHASH_LIMIT, indexKeys, nearMatch, probeKeys } from '../../functions/shared/near-duplicate.js';
import { DEGRADATIONS, ISSUE_VARIANTS } from '../../eval/degrade.js';

const SAMPLE = path.resolve('../shared/images/imagenet-sample');
const files = readdirSync(SAMPLE).sort();
const hashOf = async (bytes: Buffer) => perceptualHashes(await decodeView(bytes, DEFAULT_LIMITS));
const keyId = (k: { band: number; value: number }) => `${k.band}:${k.value}`;
const foundByIndex = (query: PerceptualHashes, stored: PerceptualHashes) => {
  const stored8 = new Set(indexKeys(stored).map(keyId));
  return probeKeys(query).some((k) => stored8.has(keyId(k)));
};

describe('perceptual hash (real photos)', function () {
  this.timeout(180_000);
  const originals = new Map<string, PerceptualHashes>();

  before(async () => {
    for (const f of files) originals.set(f, await hashOf(readFileSync(path.join(SAMPLE, f))));
  });

  it('is 4 x 64 bits, the same for the same pixels', async () => {
    const h = originals.get(files[0])!;
    for (const v of Object.values(h)) expect(v).to.match(/^[0-9a-f]{16}$/);
    expect(await hashOf(readFileSync(path.join(SAMPLE, files[0])))).to.deep.equal(h);
  });

  it('takes none of the 50 sample photos for another (1225 pairs, both directions)', () => {
    const matches: string[] = [];
    for (const a of files) for (const b of files) if (a !== b && nearMatch(originals.get(a)!, originals.get(b)!)) matches.push(`${a} ~ ${b}`);
    expect(matches).to.deep.equal([]);
  });

  it("recognises the issue's five copies of every eighth photo, through the band index, in both directions", async () => {
    const missed: string[] = [];
    for (const f of files.filter((_, i) => i % 8 === 0)) {
      const bytes = readFileSync(path.join(SAMPLE, f));
      const original = originals.get(f)!;
      for (const d of DEGRADATIONS.filter((x) => ISSUE_VARIANTS.includes(x.name))) {
        const copy = await hashOf(await d.make(bytes));
        const m = nearMatch(copy, original);
        if (!m || !foundByIndex(copy, original) || !nearMatch(original, copy) || !foundByIndex(original, copy)) missed.push(`${f} ${d.name}`);
        else expect(m.distance).to.be.at.most(PHASH_LIMIT);
      }
    }
    expect(missed).to.deep.equal([]);
  });

  it('does not catch a mirror image (a documented limit)', async () => {
    const mirror = DEGRADATIONS.find((d) => d.name === 'mirror')!;
    for (const f of files.slice(0, 5)) {
      const copy = await hashOf(await mirror.make(readFileSync(path.join(SAMPLE, f))));
      expect(nearMatch(copy, originals.get(f)!), f).to.equal(undefined);
    }
  });
});

describe('band index (multi-index hashing)', () => {
  const random64 = (seed: number) => {
    let x = seed;
    let hex = '';
    for (let i = 0; i < 16; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      hex += (x >> 16).toString(16).slice(-1);
    }
    return hex;
  };
  const flip = (hex: string, bits: number[]) => {
    const n = BigInt(`0x${hex}`) ^ bits.reduce((acc, b) => acc | (1n << BigInt(63 - b)), 0n);
    return n.toString(16).padStart(16, '0');
  };
  const whole = (p: string): PerceptualHashes => ({ pHash: p, dHash: p, innerPHash: flip(p, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), innerDHash: p });

  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).to.equal(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).to.equal(2);
    expect(hammingDistance('0123456789abcdef', '0123456789abcdef')).to.equal(0);
  });

  it('finds every hash within 7 bits (one band is then within 1 bit)', () => {
    for (let seed = 1; seed < 300; seed++) {
      const p = random64(seed);
      const bits = [...new Set(Array.from({ length: 7 }, (_, i) => (seed * 7 + i * 13 + ((seed * i) % 5)) % 64))];
      const q = flip(p, bits);
      expect(hammingDistance(p, q)).to.equal(bits.length);
      expect(foundByIndex(whole(q), whole(p)), `${p} vs ${q}`).to.equal(true);
    }
  });

  it('misses 8 bits spread 2 per band (what the probe radius gives up)', () => {
    const p = random64(42);
    const q = flip(
      p,
      Array.from({ length: BAND_COUNT * 2 }, (_, i) => (i >> 1) * 16 + (i & 1) * 7),
    );
    const stored: PerceptualHashes = { pHash: p, dHash: p, innerPHash: p, innerDHash: p };
    const query: PerceptualHashes = { pHash: q, dHash: p, innerPHash: q, innerDHash: p };
    expect(foundByIndex(query, stored)).to.equal(false);
    expect(nearMatch(query, stored)?.distance).to.equal(8);
  });

  it('probes at most 136 keys and stores at most 8', () => {
    const h = whole(random64(7));
    expect(probeKeys(h).length).to.be.at.most(136);
    expect(indexKeys(h).length).to.be.at.most(8);
  });
});
