/**
 * Embedded colour profiles that describe sRGB itself, by the sha256 of the profile's bytes.
 *
 * libvips converts every image that carries an ICC profile to sRGB through lcms, and on these
 * machines that conversion costs 7-8 ms for a 0.2 MP photo, more than decoding its JPEG. For a profile
 * that is sRGB (cameras and editors embed one in most of the tagged photos blogs receive) the
 * colour-managed result is the stored pixels: over all 16.7 million 8-bit colours lcms's round trip
 * differs from them by at most one level, its rounding (Nikon's gives them back exactly). So an image tagged with one of these profiles is decoded as it is stored, the same way on
 * every path (FetchImage, both models, the Rekognition views), and every other profile is converted.
 * test/pixels/icc.test.ts proves the one-level bound for each profile listed on the full colour cube,
 * with the profile bytes found in the labelled photos; docs/decisions.md, "Colour profiles", has the
 * survey behind the list.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

export const SRGB_PROFILES: ReadonlyMap<string, string> = new Map([
  ['2b3aa1645779a9e634744faf9b01e9102b0c9b88fd6deced7934df86b949af7e', 'sRGB IEC61966-2.1 (HP/Linotype, 3,144 bytes)'],
  ['3f6d674174f3804eb0dabdac90ae17486e898c5063a66f861c116ea033da8301', 'sRGB IEC61966-2.1 (HP/Linotype, 3,144 bytes, other header)'],
  ['a8e4d0dcd76a6ca2dff3aa8dbd251d465bc826836807ec0dbb3e790ff3d54fbf', 'sRGB IEC61966-2.1 (HP/Linotype, 3,144 bytes, a third header)'],
  ['a5371b9dce12310e48b2dd8684a15ef1a36b931af156e60f8ee9065f69687488', 'sRGB IEC61966-2.1 (HP/Linotype with extra tags, 7,261 bytes)'],
  ['c4c1153168e817be61a676e403c370ce2c485a6bd54fbb59c3850845cfefad00', 'sRGB IEC61966-2-1 black scaled (3,048 bytes)'],
  ['9d0774f002bc0238173d688dab55ecf2b093f8a257310e05b5887c6722c8798d', 'Nikon sRGB 4.0.0.3001 (exact)'],
]);

/** True when the decoder may take the stored 8-bit RGB values as sRGB without converting them. */
export function storedAsSrgb(meta: { icc?: Buffer; space?: string; depth?: string; channels?: number }): boolean {
  if (!meta.icc || meta.space !== 'srgb' || meta.depth !== 'uchar' || (meta.channels ?? 0) < 3) return false;
  return SRGB_PROFILES.has(createHash('sha256').update(meta.icc).digest('hex'));
}

/** For a decode that has no header at hand (tools, the blocklist): the same rule, read from the bytes. */
export async function profileOf(bytes: Buffer): Promise<{ srgbProfile: boolean }> {
  try {
    return { srgbProfile: storedAsSrgb(await sharp(bytes, { limitInputPixels: false }).metadata()) };
  } catch {
    return { srgbProfile: false }; // the decode that follows names the damage
  }
}
