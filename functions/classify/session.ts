/** The onnxruntime session: created once per process, names read from the model itself. */
import { availableParallelism } from 'node:os';
import { ModelContractError } from '../shared/errors.js';
import type { ModelManifest } from '../shared/models/manifest.js';
import { inProcessSessions, type OnnxSession, type SessionHost } from '../shared/models/onnx-session.js';

export interface SessionOptions {
  /** Intra-op threads; default the machine's cores (a Lambda's vCPUs follow its memory size). */
  threads?: number;
  /** Where the session runs (default: this thread, as in a Lambda). */
  host?: SessionHost;
}

export interface ModelSession {
  session: OnnxSession;
  inputName: string;
  outputName: string;
  /** False when the model's batch dimension is fixed at 1: batches are then run image by image. */
  dynamicBatch: boolean;
}

export async function openSession(modelPath: string, manifest: ModelManifest, opts: SessionOptions = {}): Promise<ModelSession> {
  const threads = opts.threads ?? availableParallelism();
  let session: OnnxSession;
  try {
    session = await (opts.host ?? inProcessSessions).open(modelPath, { threads });
  } catch (err) {
    throw new ModelContractError(
      `onnxruntime could not load ${manifest.name} (${(err as Error).message}). The file verified against its sha256, so the catalog entry may name the wrong file.`,
    );
  }
  // Names come from the session, not the manifest: the mirror's and the zoo's files differ here.
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName || session.inputNames.length !== 1) {
    throw new ModelContractError(
      `${manifest.name} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; a classifier needs one image input and a score output.`,
    );
  }
  const meta = session.inputMetadata[0];
  const shape = meta && meta.isTensor ? meta.shape : [];
  const expected = manifest.input.layout === 'NCHW' ? [3, manifest.input.height, manifest.input.width] : [manifest.input.height, manifest.input.width, 3];
  if (shape.length === 4) {
    shape.slice(1).forEach((d, i) => {
      if (typeof d === 'number' && d > 0 && d !== expected[i]) {
        throw new ModelContractError(
          `${manifest.name} takes input ${JSON.stringify(shape)} but its manifest says ${manifest.input.layout} ${expected.join('x')}; fix the manifest.`,
        );
      }
    });
  }
  const batchDim = shape[0];
  return { session, inputName, outputName, dynamicBatch: !(typeof batchDim === 'number' && batchDim === 1) };
}
