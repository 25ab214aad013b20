/**
 * Standard distortions for calibrating the quality bands, as the KADID-10k (Lin, Hosu and Saupe 2019)
 * and TID2013 (Ponomarenko et al. 2015) benchmarks make them: each applied to a pristine photo at
 * full size, at strengths from moderate to severe. Two disjoint sets: DEV tunes the bands, HELD_OUT
 * (other strengths and other variants of each kind: motion blur, impulse and chroma noise, PNG
 * re-encodes of harsh JPEGs) only reports. Strengths that depend on size are relative to the long side
 * at 500 pixels, the typical photo here, so a 2400-pixel photo is degraded alike. Photos are degraded at
 * most 1024 pixels on the long side (measure-set.ts), which keeps the larger kernels affordable.
 */
import sharp, { type Sharp } from 'sharp';

export type DistortionKind = 'blur' | 'compression' | 'underexposure' | 'overexposure' | 'noise' | 'resolution' | 'contrast';

/** Full-size decoded RGB. */
export interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

export interface Distortion {
  kind: DistortionKind;
  name: string;
  /** Severe: the target (>= 90 % held). Moderate ones are reported for information. */
  severe: boolean;
  /** Encoded bytes of the distorted photo. */
  apply(img: Rgb, seed: number): Promise<Buffer>;
}

const raw = (img: Rgb) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
const asJpeg = (s: Sharp) => s.jpeg({ quality: 92 }).toBuffer();
const asPng = (s: Sharp) => s.png({ compressionLevel: 1 }).toBuffer();
/** Pixel scale factor relative to a 500-pixel long side. */
const rel = (img: Rgb) => Math.max(img.width, img.height) / 500;

/** A small deterministic PRNG (mulberry32) so every run degrades alike. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
const clip = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
const map = (img: Rgb, f: (data: Buffer) => void): Rgb => {
  const data = Buffer.from(img.data);
  f(data);
  return { ...img, data };
};

const toLinear = (v: number) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const toSrgb = (l: number) => 255 * (l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055);
/** Exposure change by `stops` in linear light (what a camera's exposure does), clipped at white. */
function exposure(img: Rgb, stops: number): Rgb {
  const k = 2 ** stops;
  const lut = Array.from({ length: 256 }, (_, v) => clip(toSrgb(Math.min(1, toLinear(v) * k))));
  return map(img, (d) => d.forEach((v, i) => (d[i] = lut[v])));
}

function addGaussian(img: Rgb, sigma: number, seed: number): Rgb {
  const n = gaussian(random(seed));
  return map(img, (d) => d.forEach((v, i) => (d[i] = clip(v + sigma * n()))));
}

function saltAndPepper(img: Rgb, share: number, seed: number): Rgb {
  const r = random(seed);
  return map(img, (d) => {
    for (let i = 0; i < d.length; i += 3) {
      const u = r();
      if (u < share) d[i] = d[i + 1] = d[i + 2] = u < share / 2 ? 0 : 255;
    }
  });
}

/** Noise on the colour-difference channels only (BT.601 YCbCr), as cheap sensors show it. */
function chromaNoise(img: Rgb, sigma: number, seed: number): Rgb {
  const n = gaussian(random(seed));
  return map(img, (d) => {
    for (let i = 0; i < d.length; i += 3) {
      const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      const cb = -0.168736 * r - 0.331264 * g + 0.5 * b + sigma * n();
      const cr = 0.5 * r - 0.418688 * g - 0.081312 * b + sigma * n();
      d[i] = clip(y + 1.402 * cr);
      d[i + 1] = clip(y - 0.344136 * cb - 0.714136 * cr);
      d[i + 2] = clip(y + 1.772 * cb);
    }
  });
}

/** Contrast scaled by k around the mean (KADID's contrast change). */
function contrast(img: Rgb, k: number): Rgb {
  let mean = 0;
  for (const v of img.data) mean += v;
  mean /= img.data.length;
  return map(img, (d) => d.forEach((v, i) => (d[i] = clip(mean + (v - mean) * k))));
}

/** Blend towards white (haze, a washed-out print). */
function haze(img: Rgb, share: number): Rgb {
  return map(img, (d) => d.forEach((v, i) => (d[i] = clip(v * (1 - share) + 255 * share))));
}

/** Linear motion blur: the mean of `length` pixels along a line through each pixel (edges clamped). */
function motionBlur(img: Rgb, length: number, diagonal: boolean): Rgb {
  const { width: w, height: h } = img;
  const half = Math.floor(Math.max(3, length) / 2);
  const src = img.data;
  return map(img, (d) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = -half; k <= half; k++) {
          const xx = Math.min(w - 1, Math.max(0, x + k));
          const yy = diagonal ? Math.min(h - 1, Math.max(0, y + k)) : y;
          const i = (yy * w + xx) * 3;
          r += src[i];
          g += src[i + 1];
          b += src[i + 2];
        }
        const o = (y * w + x) * 3;
        const n = 2 * half + 1;
        d[o] = Math.round(r / n);
        d[o + 1] = Math.round(g / n);
        d[o + 2] = Math.round(b / n);
      }
    }
  });
}

const d = (kind: DistortionKind, name: string, severe: boolean, apply: Distortion['apply']): Distortion => ({ kind, name, severe, apply });

export const DEV: Distortion[] = [
  d('blur', 'gaussian blur 2 px', true, (i) => asJpeg(raw(i).blur(2 * rel(i)))),
  d('blur', 'gaussian blur 3 px', true, (i) => asJpeg(raw(i).blur(3 * rel(i)))),
  d('blur', 'gaussian blur 1 px', false, (i) => asJpeg(raw(i).blur(Math.max(0.3, rel(i))))),
  d('compression', 'JPEG quality 5', true, (i) => raw(i).jpeg({ quality: 5 }).toBuffer()),
  d('compression', 'JPEG quality 10', true, (i) => raw(i).jpeg({ quality: 10 }).toBuffer()),
  d('compression', 'JPEG quality 15', true, (i) => raw(i).jpeg({ quality: 15 }).toBuffer()),
  d('compression', 'JPEG quality 30', false, (i) => raw(i).jpeg({ quality: 30 }).toBuffer()),
  d('underexposure', 'exposure -2 stops', true, (i) => asJpeg(raw(exposure(i, -2)))),
  d('underexposure', 'exposure -3 stops', true, (i) => asJpeg(raw(exposure(i, -3)))),
  d('underexposure', 'exposure -1 stop', false, (i) => asJpeg(raw(exposure(i, -1)))),
  d('overexposure', 'exposure +2 stops', false, (i) => asJpeg(raw(exposure(i, 2)))),
  d('overexposure', 'exposure +3 stops', true, (i) => asJpeg(raw(exposure(i, 3)))),
  d('overexposure', 'exposure +4 stops', true, (i) => asJpeg(raw(exposure(i, 4)))),
  d('noise', 'gaussian noise sigma 20', true, (i, s) => asJpeg(raw(addGaussian(i, 20, s)))),
  d('noise', 'gaussian noise sigma 30', true, (i, s) => asJpeg(raw(addGaussian(i, 30, s)))),
  d('noise', 'gaussian noise sigma 8', false, (i, s) => asJpeg(raw(addGaussian(i, 8, s)))),
  d('contrast', 'contrast x0.3', true, (i) => asJpeg(raw(contrast(i, 0.3)))),
  d('contrast', 'contrast x0.2', true, (i) => asJpeg(raw(contrast(i, 0.2)))),
  d('contrast', 'contrast x0.6', false, (i) => asJpeg(raw(contrast(i, 0.6)))),
  d('resolution', 'downscaled to 1/4', true, (i) => asJpeg(raw(i).resize(Math.max(1, Math.round(i.width / 4))))),
];

export const HELD_OUT: Distortion[] = [
  d('blur', 'gaussian blur 2.5 px', true, (i) => asPng(raw(i).blur(2.5 * rel(i)))),
  d('blur', 'gaussian blur 4 px', true, (i) => asPng(raw(i).blur(4 * rel(i)))),
  d('blur', 'horizontal motion blur 11 px', true, (i) => asPng(raw(motionBlur(i, Math.round(11 * rel(i)), false)))),
  d('blur', 'diagonal motion blur 15 px', true, (i) => asPng(raw(motionBlur(i, Math.round(15 * rel(i)), true)))),
  d('blur', 'gaussian blur 1.5 px', false, (i) => asPng(raw(i).blur(1.5 * rel(i)))),
  d('compression', 'JPEG quality 7', true, (i) => raw(i).jpeg({ quality: 7 }).toBuffer()),
  d('compression', 'JPEG quality 12', true, (i) => raw(i).jpeg({ quality: 12 }).toBuffer()),
  d('compression', 'JPEG quality 8 re-saved as PNG', true, async (i) => asPng(sharp(await raw(i).jpeg({ quality: 8 }).toBuffer()))),
  d('compression', 'JPEG quality 10 re-saved as JPEG 90', true, async (i) =>
    sharp(await raw(i).jpeg({ quality: 10 }).toBuffer())
      .jpeg({ quality: 90 })
      .toBuffer(),
  ),
  d('compression', 'JPEG quality 25', false, (i) => raw(i).jpeg({ quality: 25 }).toBuffer()),
  d('underexposure', 'exposure -2.5 stops', true, (i) => asPng(raw(exposure(i, -2.5)))),
  d('underexposure', 'exposure -3.5 stops', true, (i) => asPng(raw(exposure(i, -3.5)))),
  d('underexposure', 'exposure -1.5 stops', false, (i) => asPng(raw(exposure(i, -1.5)))),
  d('overexposure', 'exposure +3.5 stops', true, (i) => asPng(raw(exposure(i, 3.5)))),
  d('overexposure', 'exposure +2.5 stops', false, (i) => asPng(raw(exposure(i, 2.5)))),
  d('overexposure', 'washed out: 70 % white haze', true, (i) => asPng(raw(haze(i, 0.7)))),
  d('noise', 'gaussian noise sigma 25', true, (i, s) => asPng(raw(addGaussian(i, 25, s)))),
  d('noise', 'salt and pepper 4 %', true, (i, s) => asPng(raw(saltAndPepper(i, 0.04, s)))),
  d('noise', 'chroma noise sigma 30', true, (i, s) => asPng(raw(chromaNoise(i, 30, s)))),
  d('noise', 'gaussian noise sigma 12', false, (i, s) => asPng(raw(addGaussian(i, 12, s)))),
  d('contrast', 'contrast x0.25', true, (i) => asPng(raw(contrast(i, 0.25)))),
  d('contrast', 'contrast x0.5', false, (i) => asPng(raw(contrast(i, 0.5)))),
  d('resolution', 'downscaled to 1/5', true, (i) => asPng(raw(i).resize(Math.max(1, Math.round(i.width / 5))))),
  d('resolution', 'downscaled to 160 px', true, (i) => asPng(raw(i).resize(160, 160, { fit: 'inside' }))),
];
