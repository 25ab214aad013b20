/**
 * The one sha256 shape: content addresses (staged images, verdict records, review items) and pinned
 * digests (model files, the synset list), written as node's digest('hex') writes them. Also the 64-bit
 * perceptual hashes, which are hex digests too.
 */
import { z } from 'zod';

/** 64 lowercase hex digits. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_PATTERN.test(value);
}

/** A content address or digest as our own code writes it: refused unless already lowercase. */
export const sha256Schema = z.string().regex(SHA256_PATTERN, 'sha256 must be 64 lowercase hex digits');

/** A digest a person typed or a manifest spells (any case): lowercased, then checked. */
export const sha256AnyCaseSchema = z.string().toLowerCase().regex(SHA256_PATTERN, 'expected 64 hex characters (a sha256 digest)');

/** 64 bits as 16 lowercase hex digits: a perceptual hash (functions/shared/perceptual-hash.ts). */
export const hex64Schema = z.string().regex(/^[0-9a-f]{16}$/, 'a 64-bit hash is 16 lowercase hex digits');
