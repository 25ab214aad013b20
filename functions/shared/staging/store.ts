/**
 * The staging store: where FetchImage puts validated image bytes and where the analysis steps read
 * them back. Content-addressed by sha256, so the same image fetched twice is stored once.
 * S3 in AWS, a directory locally: same interface, local mode only swaps the adapter.
 */
import type { ImageFormat, StagedImage } from '../contracts/index.js';

export interface StagingStore {
  /** Stores the bytes under a key derived from their sha256 and returns the pointer fields. */
  put(bytes: Buffer, meta: { sha256: string; format: ImageFormat }): Promise<Pick<StagedImage, 'uri' | 'bucket' | 'key'>>;
  /**
   * The start-up check: throws ConfigError when the store cannot be written (the directory). S3 answers
   * at once: the function's role is only allowed PutObject, so the first put is the check there.
   */
  ready(): Promise<void>;
  /** Reads back the bytes a pointer names; throws StagedImageMissing when they are gone. */
  get(image: Pick<StagedImage, 'uri' | 'bucket' | 'key'>): Promise<Buffer>;
}

/** The content-addressed key of an image: staging/ab/abcdef....jpeg */
export function stagingKey(sha256: string, format: ImageFormat, prefix = 'staging/'): string {
  return `${prefix}${sha256.slice(0, 2)}/${sha256}.${format}`;
}
