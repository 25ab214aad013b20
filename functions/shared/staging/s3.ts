import type { S3Client } from '@aws-sdk/client-s3';
import { defaultS3Client, loadS3 } from '../s3-client.js';
import type { ImageFormat, StagedImage } from '../contracts/index.js';
import { StagedImageMissing } from '../errors.js';
import { stagingKey, type StagingStore } from './store.js';

const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
};

/** AWS: the private, encrypted staging bucket. S3 PUTs are atomic, so no temp object is needed. */
export class S3StagingStore implements StagingStore {
  constructor(
    readonly bucket: string,
    private readonly s3?: S3Client,
    readonly prefix = 'staging/',
  ) {}

  private client(): Promise<S3Client> {
    return this.s3 ? Promise.resolve(this.s3) : defaultS3Client();
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async put(bytes: Buffer, meta: { sha256: string; format: ImageFormat }): Promise<Pick<StagedImage, 'uri' | 'bucket' | 'key'>> {
    const key = stagingKey(meta.sha256, meta.format, this.prefix);
    const [{ PutObjectCommand }, s3] = await Promise.all([loadS3(), this.client()]);
    await s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: CONTENT_TYPES[meta.format],
        // S3 checks the body against this and refuses a corrupted upload.
        ChecksumSHA256: Buffer.from(meta.sha256, 'hex').toString('base64'),
        Metadata: { sha256: meta.sha256 },
      }),
    );
    return { uri: `s3://${this.bucket}/${key}`, bucket: this.bucket, key };
  }

  async get(image: Pick<StagedImage, 'uri' | 'bucket' | 'key'>): Promise<Buffer> {
    const bucket = image.bucket ?? this.bucket;
    const [{ GetObjectCommand, NoSuchKey }, s3] = await Promise.all([loadS3(), this.client()]);
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: image.key }));
      if (!res.Body) throw new Error('empty body');
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') {
        throw new StagedImageMissing(
          `s3://${bucket}/${image.key} does not exist (the staging lifecycle may have expired it). Fetch the image again.`,
          { bucket, key: image.key },
          { cause: err },
        );
      }
      throw err;
    }
  }
}
