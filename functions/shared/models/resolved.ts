import type { ModelManifest } from './manifest.js';

/** Where a resolved model's file came from in this call (a later call finds it in the cache). */
export type ModelSourceKind = 'path' | 'cache' | 'mirror' | 's3' | 'url';

/** A model file and its labels on local disk, both verified against their sha256. */
export interface ResolvedModel {
  manifest: ModelManifest;
  modelPath: string;
  labelsPath: string;
  /** The verified sha256 of modelPath. */
  sha256: string;
  source: ModelSourceKind;
  /**
   * The canonical ImageNet synset list, present when labelsPath holds names only and the wnids must
   * come from the class index (mobilenet-v2-int8, resnet50-int8-random-timing).
   */
  synsetPath?: string;
}
