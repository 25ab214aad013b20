/**
 * The AWS SDK's S3 module, loaded on first use: it costs about 100 ms to import, which a local run
 * never needs and a Lambda pays in parallel with loading its model rather than before it.
 */
import type { S3Client } from '@aws-sdk/client-s3';

export type S3Module = typeof import('@aws-sdk/client-s3');

let s3Module: Promise<S3Module> | undefined;
export const loadS3 = (): Promise<S3Module> => (s3Module ??= import('@aws-sdk/client-s3'));

let instrument: (client: S3Client) => S3Client | Promise<S3Client> = (client) => client;
/** The Lambda entry hands its tracer here, so the S3 calls show in X-Ray without this module importing it. */
export function instrumentS3Clients(f: (client: S3Client) => S3Client | Promise<S3Client>): void {
  instrument = f;
}

let defaultClient: Promise<S3Client> | undefined;
/** One client per process (region and credentials from the Lambda environment). */
export const defaultS3Client = (): Promise<S3Client> => (defaultClient ??= loadS3().then((m) => instrument(new m.S3Client({}))));
