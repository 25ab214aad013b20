/**
 * The converted nsfwjs model at run time: preprocessing exactly as nsfwjs's reference (whole image
 * resized to 224x224 with sharp's default lanczos3, no crop, /255; the model is sensitive to the kernel:
 * bilinear or bicubic move scores by up to 0.3) and one onnxruntime session per process.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { inProcessSessions, type OnnxSession, type SessionHost } from '../shared/models/onnx-session.js';
import { CorruptImage, ModelContractError } from '../shared/errors.js';
import { readImageHeader } from '../shared/image-header.js';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import { phase, phaseSync } from '../shared/telemetry/phases.js';
import { decodePipeline, isRaster, type ImageSource } from '../shared/raster.js';
import { NSFW_INPUT, NSFW_OUTPUT } from './nsfw-convert.js';

export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];
export type NsfwScores = Record<NsfwClass, number>;

/**
 * NHWC pixels in 0..1 at size x size (224 for MobileNetV2, 299 for InceptionV3). From bytes, decoding
 * and resizing are one sharp pipeline (shrink-on-load), timed as `decode`.
 */
export async function nsfwPixels(source: ImageSource, limits: { maxPixels: number } = DEFAULT_LIMITS, size = 224): Promise<Float32Array> {
  const header = isRaster(source) ? { srgbProfile: false } : await phase('header', () => readImageHeader(source, limits));
  let data: Buffer;
  try {
    data = await phase(isRaster(source) ? 'resize' : 'decode', () =>
      decodePipeline(source, limits.maxPixels, header).resize(size, size, { fit: 'fill' }).removeAlpha().raw({ depth: 'uchar' }).toBuffer(),
    );
  } catch (err) {
    throw new CorruptImage(`The image could not be decoded (${(err as Error).message}); it is truncated or damaged.`);
  }
  return phaseSync('tensor', () => toUnitFloats(data));
}

/** bytes / 255 as float32. A plain loop: Float32Array.from with a callback took 20-100 ms for 150,528 values. */
function toUnitFloats(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return out;
}

/** The same NHWC pixels mirrored left to right (test-time augmentation: the mirror image is as valid a photo). */
export function mirrored(pixels: Float32Array, size: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let y = 0; y < size; y++) {
    const row = y * size * 3;
    for (let x = 0; x < size; x++) out.set(pixels.subarray(row + (size - 1 - x) * 3, row + (size - x) * 3), row + x * 3);
  }
  return out;
}

export class NsfwModel {
  private constructor(
    private readonly session: OnnxSession,
    /** Square input size in pixels. */
    readonly size: number,
  ) {}

  static async create(modelPath: string, threads = availableParallelism(), size = 224, host: SessionHost = inProcessSessions): Promise<NsfwModel> {
    const session = await host.open(modelPath, { threads });
    if (session.inputNames[0] !== NSFW_INPUT || session.outputNames[0] !== NSFW_OUTPUT) {
      throw new ModelContractError(`${modelPath} is not the converted nsfwjs model (inputs ${session.inputNames}, outputs ${session.outputNames}).`);
    }
    return new NsfwModel(session, size);
  }

  /** Scores for an NHWC size x size x 3 tensor in 0..1 (already preprocessed). */
  async scoresFor(pixels: Float32Array): Promise<NsfwScores> {
    const out = await phase('session.run', () => this.session.run({ [NSFW_INPUT]: new ort.Tensor('float32', pixels, [1, this.size, this.size, 3]) }));
    const p = out[NSFW_OUTPUT].data as Float32Array;
    return Object.fromEntries(NSFW_CLASSES.map((c, i) => [c, p[i]])) as NsfwScores;
  }

  async scores(source: ImageSource, limits?: { maxPixels: number }): Promise<NsfwScores> {
    return this.scoresFor(await nsfwPixels(source, limits, this.size));
  }
}
