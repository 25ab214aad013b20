/**
 * The model files `pulumi up` uploads, taken from the local model store (cache → mirror → public URL),
 * each verified against its pinned sha256 before it is uploaded.
 */
import { ModelNotFoundError } from '../functions/shared/errors.js';
import { catalogEntry } from '../functions/shared/models/catalog.js';
import { modelStoreOptions } from '../functions/shared/models/config.js';
import { resolveModel } from '../functions/shared/models/store.js';
import { defaultMirror } from '../functions/shared/project.js';
import { nsfwModelPin, resolveNsfwModel, type NsfwModelName } from '../functions/safety/nsfw-store.js';

export interface LocalModelFiles {
  sha256: string;
  modelFile: string;
  labelsFile: string;
  /** The labels' name beside the model in S3 (the model store reads them from there). */
  labelsName: string;
  fileName: string;
}

export type ModelFileResolver = (name: string) => Promise<LocalModelFiles>;
export type NsfwFileResolver = (name: NsfwModelName) => Promise<{ sha256: string; modelFile: string }>;

export const resolveLocalModel: ModelFileResolver = async (name) => {
  try {
    const r = await resolveModel(modelStoreOptions({ name, mirrorDir: defaultMirror() }));
    return { sha256: r.sha256, modelFile: r.modelPath, labelsFile: r.labelsPath, labelsName: r.manifest.output.labels, fileName: r.manifest.file };
  } catch (err) {
    throw new ModelNotFoundError(
      `pulumi up uploads the classifier model ${name} from this machine's model store, and could not get it: ${(err as Error).message} ` +
        "Run it where the model's public URL is reachable, or put the file in a mirror (MODEL_MIRROR) or the cache (MODEL_CACHE_DIR).",
    );
  }
};

export const resolveLocalNsfwModel: NsfwFileResolver = async () => {
  const r = await resolveNsfwModel({ cacheDir: modelStoreOptions().cacheDir });
  return { sha256: r.sha256, modelFile: r.modelPath };
};

/** For previews and tests: the files are named by their pins, nothing is read or downloaded. */
export const plannedModelFiles: { model: ModelFileResolver; nsfw: NsfwFileResolver } = {
  model: async (name) => {
    const m = catalogEntry(name);
    return {
      sha256: m.sha256,
      modelFile: `<model store>/${name}/${m.sha256}.onnx`,
      labelsFile: `<model store>/labels/${m.output.labels}`,
      labelsName: m.output.labels,
      fileName: m.file,
    };
  },
  nsfw: async (name) => {
    const pin = nsfwModelPin(name);
    return { sha256: pin.onnx.sha256, modelFile: `<model store>/${pin.name}/${pin.onnx.sha256}.onnx` };
  },
};
