/**
 * Staged images by content address, for thumbnails. Only a sha256 and one of the accepted raster
 * formats name a file, so no request can reach outside the staging store; output is re-encoded by
 * sharp as WebP, so whatever bytes were staged, the browser only ever receives a plain raster.
 */
import { Hono } from 'hono';
import sharp from 'sharp';
import { IMAGE_FORMATS, type ImageFormat } from '../../../functions/shared/contracts/index.js';
import { isSha256 } from '../../../functions/shared/contracts/sha256.js';
import { StagedImageMissing } from '../../../functions/shared/errors.js';
import { stagingKey, type StagingStore } from '../../../functions/shared/staging/store.js';

const WIDTHS = [160, 320, 640, 1280] as const;

export function imageRoutes(staging: StagingStore): Hono {
  const r = new Hono();
  r.get('/:sha256/:format', async (c) => {
    const { sha256, format } = c.req.param();
    if (!isSha256(sha256) || !(IMAGE_FORMATS as readonly string[]).includes(format)) {
      return c.json({ error: 'InvalidInput', message: 'Images are addressed as /api/images/<sha256>/<format>.' }, 400);
    }
    const asked = Number(c.req.query('w') ?? 320);
    const width = WIDTHS.find((w) => w >= asked) ?? WIDTHS[WIDTHS.length - 1];
    let bytes: Buffer;
    try {
      bytes = await staging.get({ uri: '', key: stagingKey(sha256, format as ImageFormat) });
    } catch (err) {
      if (err instanceof StagedImageMissing) return c.json({ error: 'NotFound', message: err.message }, 404);
      throw err;
    }
    const webp = await sharp(bytes, { limitInputPixels: 40_000_000 })
      .rotate()
      .resize({ width, height: width, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return c.body(new Uint8Array(webp), 200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=3600' });
  });
  return r;
}
