/** FetchImage: the Lambda entry and its factory (the local engine builds one with local adapters). */
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { FetchImageOutput, ModerationInput } from '../shared/contracts.js';
import { InvalidInput } from '../shared/errors.js';
import { stagingStoreFromEnv, type StagingStore } from '../shared/staging/index.js';
import { fetchConfig, fetchConfigFromEnv, type FetchConfig } from './config.js';
import { fetchImage } from './fetch.js';

export const moderationInputSchema = z.object({
  imageUrl: z.string().min(1, 'imageUrl is empty').max(4096, 'imageUrl is longer than 4096 characters'),
  postId: z.string().max(512).optional(),
  context: z.object({ title: z.string().max(1000).optional(), keywords: z.array(z.string().max(100)).max(50).optional() }).optional(),
});

export function parseModerationInput(event: unknown): ModerationInput {
  const parsed = moderationInputSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidInput(`Expected { imageUrl, postId?, context? }: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}.`);
  }
  return parsed.data;
}

export interface FetchImageDeps {
  store: StagingStore;
  config?: Partial<FetchConfig>;
  s3?: S3Client;
}

export function createFetchImageHandler(deps: FetchImageDeps) {
  const config = fetchConfig(deps.config);
  let s3 = deps.s3;
  const getS3 = () => (s3 ??= new S3Client({}));
  return async (event: ModerationInput): Promise<FetchImageOutput> => fetchImage(parseModerationInput(event), { store: deps.store, config, s3: getS3 });
}

let lambdaHandler: ReturnType<typeof createFetchImageHandler> | undefined;

export const handler = (event: ModerationInput): Promise<FetchImageOutput> => {
  lambdaHandler ??= createFetchImageHandler({ store: stagingStoreFromEnv(), config: fetchConfigFromEnv() });
  return lambdaHandler(event);
};
