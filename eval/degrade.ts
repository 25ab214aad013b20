/**
 * The copies of a photo that publishers re-upload (re-encoded, resized, slightly cropped, brightened,
 * converted), and the ones near-duplicate memory is not meant to catch, for calibrating and testing it.
 */
import sharp, { type Sharp } from 'sharp';

export interface Degradation {
  name: string;
  /** True for a copy that must be recognised as the same photo. */
  mustMatch: boolean;
  make(bytes: Buffer): Promise<Buffer>;
}

const upright = (bytes: Buffer): Sharp => sharp(bytes).rotate();

async function uprightSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  const m = await sharp(bytes).metadata();
  return { width: m.autoOrient.width, height: m.autoOrient.height };
}

function cropEachSide(fraction: number) {
  return async (bytes: Buffer) => {
    const { width, height } = await uprightSize(bytes);
    const dx = Math.round(width * fraction);
    const dy = Math.round(height * fraction);
    return upright(bytes)
      .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
      .jpeg({ quality: 90 })
      .toBuffer();
  };
}

function resized(scale: number, quality: number) {
  return async (bytes: Buffer) => {
    const { width } = await uprightSize(bytes);
    return upright(bytes)
      .resize(Math.max(1, Math.round(width * scale)))
      .jpeg({ quality })
      .toBuffer();
  };
}

/** The five copies of the issue, then other harmless ones, then what the hash does not catch. */
export const DEGRADATIONS: Degradation[] = [
  { name: 'jpeg-q55', mustMatch: true, make: (b) => upright(b).jpeg({ quality: 55 }).toBuffer() },
  { name: 'resize-70%', mustMatch: true, make: resized(0.7, 90) },
  { name: 'crop-4%', mustMatch: true, make: cropEachSide(0.04) },
  { name: 'brightness+12%', mustMatch: true, make: (b) => upright(b).modulate({ brightness: 1.12 }).jpeg({ quality: 90 }).toBuffer() },
  { name: 'webp', mustMatch: true, make: (b) => upright(b).webp().toBuffer() },
  {
    name: 'contrast+20%',
    mustMatch: true,
    make: (b) =>
      upright(b)
        .linear(1.2, -128 * 0.2)
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  {
    name: 'contrast-20%',
    mustMatch: true,
    make: (b) =>
      upright(b)
        .linear(0.8, 128 * 0.2)
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  { name: 'png', mustMatch: true, make: (b) => upright(b).png().toBuffer() },
  { name: 'resize-25%-q75', mustMatch: true, make: resized(0.25, 75) },
  { name: 'greyscale', mustMatch: true, make: (b) => upright(b).greyscale().jpeg({ quality: 90 }).toBuffer() },
  { name: 'mirror', mustMatch: false, make: (b) => upright(b).flop().jpeg({ quality: 90 }).toBuffer() },
  { name: 'crop-10%', mustMatch: false, make: cropEachSide(0.1) },
  { name: 'crop-20%', mustMatch: false, make: cropEachSide(0.2) },
  { name: 'rotate-3deg', mustMatch: false, make: (b) => upright(b).rotate(3, { background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer() },
];

/** The five copies the issue names: the end-to-end test re-submits these. */
export const ISSUE_VARIANTS = ['jpeg-q55', 'resize-70%', 'crop-4%', 'brightness+12%', 'webp'];
