/**
 * The local stand-in for the state machine's direct Rekognition integration
 * (arn:aws:states:::aws-sdk:rekognition:detectModerationLabels). On AWS the state machine calls
 * Rekognition itself with the staged S3 object; locally the staging "bucket" is a directory, so the same
 * key is read from it and sent as bytes. What the S3 call would be refused for (workflows/local/
 * rekognition-contract.ts: format, size, sides) is refused here first, so a local run fails where AWS
 * would. Errors carry Step Functions' names (Rekognition.<SDK error>), so the definition's one Retry
 * list (TRANSIENT_REKOGNITION_ERRORS) and its Catch behave as on AWS.
 */
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { ConfigError } from '../../functions/shared/errors.js';
import type { StagingStore } from '../../functions/shared/staging/index.js';
import type { StepHandler } from './engine.js';
import { checkRekognitionImage } from './rekognition-contract.js';

export interface RekognitionParams {
  Image: { S3Object: { Name: string } };
  MinConfidence?: number;
}

export async function rekognitionOnStagedBytes(store: StagingStore, client = new RekognitionClient({})): Promise<StepHandler> {
  try {
    await client.config.region();
  } catch {
    throw new ConfigError(
      '--safety-engine rekognition calls Amazon Rekognition and needs AWS credentials and a region (AWS_REGION plus a profile or keys). Use --safety-engine local to stay offline.',
    );
  }
  return async (params) => {
    const p = params as RekognitionParams;
    const bytes = await store.get({ uri: '', key: p.Image.S3Object.Name });
    try {
      await checkRekognitionImage(bytes, 's3');
      const res = await client.send(new DetectModerationLabelsCommand({ Image: { Bytes: bytes }, MinConfidence: p.MinConfidence }));
      return { ModerationLabels: res.ModerationLabels ?? [], ModerationModelVersion: res.ModerationModelVersion ?? '' };
    } catch (err) {
      const e = new Error((err as Error).message);
      e.name = `Rekognition.${(err as Error).name}`;
      throw e;
    }
  };
}
