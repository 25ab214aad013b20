/** The safety engines' one small interface: Rekognition or the local model, same output shape. */
import type { Raster } from '../shared/raster.js';
import type { ModelRef, ModerationLabel, SafetyEngineName, SafetyOutput, StagedImage } from '../shared/contracts/index.js';

export interface SafetyEngine {
  readonly name: SafetyEngineName;
  readonly model?: SafetyOutput['model'];
  /**
   * `bytes` reads the staged image; engines that read S3 directly ignore it. `raster` is the shared
   * decode (local mode), for engines that run a model on pixels.
   */
  detect(image: StagedImage, bytes: () => Promise<Buffer>, raster?: Raster): Promise<ModerationLabel[]>;
}

export type { ModelRef };
