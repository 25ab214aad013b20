/**
 * The real format from the first bytes, whatever the server's Content-Type claims. Pure, so it is
 * tested without images. Anything not listed (HTML, SVG, PDF, text) is refused by the caller.
 */
import type { ImageFormat } from '../shared/contracts/index.js';

const startsWith = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Buffer, at: number, len: number) => b.subarray(at, at + len).toString('latin1');

/** ISO-BMFF brands (the 'ftyp' box) that mean AVIF or HEIF still images. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

export function sniffFormat(b: Buffer): ImageFormat | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (b.length >= 16 && ascii(b, 4, 4) === 'ftyp') {
    const size = Math.min(b.readUInt32BE(0), b.length, 64);
    const brands = [ascii(b, 8, 4)];
    for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(b, at, 4));
    if (brands.some((x) => AVIF_BRANDS.has(x))) return 'avif';
    if (brands.some((x) => HEIF_BRANDS.has(x))) return 'heif';
  }
  return undefined;
}

/** A short human name for what the bytes look like, for the refusal message. */
export function describeContent(b: Buffer): string {
  const head = b.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<head') || head.includes('<body')) return 'an HTML page';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
    return 'an SVG drawing (scripts and external references make it unsafe to pass on)';
  if (head.startsWith('%pdf')) return 'a PDF document';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON';
  return 'not a known image format';
}
