/**
 * DetectModerationLabels' documented input contract (functions/shared/limits.ts REKOGNITION_IMAGE_LIMITS),
 * checked the way the service answers: JPEG or PNG only (InvalidImageFormatException), at most 5 MB as
 * bytes or 15 MB as an S3 object (ImageTooLargeException), each side at least 80 pixels
 * (InvalidParameterException) and at most 10,000 (ImageTooLargeException). The local adapter checks what
 * the state machine would send from S3; the test stand-in checks the bytes it receives.
 */
import sharp from 'sharp';
import { REKOGNITION_IMAGE_LIMITS as REK } from '../../functions/shared/limits.js';

export type RekognitionErrorName = 'InvalidImageFormatException' | 'ImageTooLargeException' | 'InvalidParameterException';

export class RekognitionContractError extends Error {
  constructor(
    readonly code: RekognitionErrorName,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const isJpeg = (b: Buffer) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Buffer) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

/** Throws what Rekognition would answer for these bytes, sent `via` Image.Bytes or Image.S3Object. */
export async function checkRekognitionImage(bytes: Buffer, via: 'bytes' | 's3'): Promise<void> {
  const max = via === 'bytes' ? REK.maxBytes : REK.maxS3Bytes;
  if (bytes.length > max) {
    throw new RekognitionContractError(
      'ImageTooLargeException',
      `Image size is too large (${bytes.length} bytes; at most ${max} as ${via === 'bytes' ? 'bytes' : 'an S3 object'}).`,
    );
  }
  if (!isJpeg(bytes) && !isPng(bytes)) throw new RekognitionContractError('InvalidImageFormatException', 'Request has invalid image format');
  let width = 0;
  let height = 0;
  try {
    ({ width = 0, height = 0 } = await sharp(bytes).metadata());
  } catch {
    throw new RekognitionContractError('InvalidImageFormatException', 'Request has invalid image format');
  }
  if (Math.min(width, height) < REK.minSide) {
    throw new RekognitionContractError('InvalidParameterException', `Image is ${width}x${height}; each side must be at least ${REK.minSide} pixels.`);
  }
  if (Math.max(width, height) > REK.maxSide) {
    throw new RekognitionContractError('ImageTooLargeException', `Image is ${width}x${height}; each side must be at most ${REK.maxSide} pixels.`);
  }
}
