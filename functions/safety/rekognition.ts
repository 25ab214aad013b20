/**
 * The Rekognition engine as a Lambda-side adapter (the state machine usually calls DetectModerationLabels
 * directly; this serves the CLI and anyone running the safety function with SAFETY_ENGINE=rekognition).
 * S3Object when the image is staged in S3 (no bytes through Lambda), Bytes otherwise.
 */
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import type { ModerationLabel, StagedImage } from '../shared/contracts.js';
import { SafetyCheckFailed } from '../shared/errors.js';
import { normalizeRekognitionLabels } from '../shared/moderation.js';
import type { SafetyEngine } from './engine.js';

/** Errors worth a retry by the state machine: rethrown under the name Step Functions matches. */
const TRANSIENT = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'ServiceUnavailableException', 'TimeoutError']);

export class RekognitionSafetyEngine implements SafetyEngine {
  readonly name = 'rekognition' as const;
  model?: { name: string; version?: string };

  constructor(
    private readonly client: RekognitionClient,
    private readonly minConfidence: number,
  ) {}

  async detect(image: StagedImage, bytes: () => Promise<Buffer>): Promise<ModerationLabel[]> {
    const Image = image.bucket ? { S3Object: { Bucket: image.bucket, Name: image.key } } : { Bytes: await bytes() };
    try {
      const res = await this.client.send(new DetectModerationLabelsCommand({ Image, MinConfidence: this.minConfidence }));
      this.model = { name: 'rekognition-moderation', version: res.ModerationModelVersion };
      return normalizeRekognitionLabels(res.ModerationLabels);
    } catch (err) {
      const name = (err as Error).name;
      if (TRANSIENT.has(name)) {
        const e = new Error(`Rekognition is busy (${name}); the state machine retries.`);
        e.name = `Rekognition.${name}`;
        throw e;
      }
      throw new SafetyCheckFailed(`Rekognition DetectModerationLabels failed (${name}: ${(err as Error).message}). The image goes to review.`, { code: name });
    }
  }
}
