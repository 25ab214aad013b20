/** The safety engines' one small interface: Rekognition or the local model, same output shape. */
import type { ModelRef, ModerationLabel, SafetyEngineName, SafetyOutput, StagedImage } from '../shared/contracts.js';

export interface SafetyEngine {
  readonly name: SafetyEngineName;
  readonly model?: SafetyOutput['model'];
  /** `bytes` is the staged image when the caller already has it; engines that read S3 directly ignore it. */
  detect(image: StagedImage, bytes: () => Promise<Buffer>): Promise<ModerationLabel[]>;
}

export type { ModelRef };
