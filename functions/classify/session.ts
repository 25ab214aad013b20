/** The onnxruntime session: created once per process, names read from the model itself. */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { ModelContractError } from '../shared/errors.js';
import type { ModelManifest } from '../shared/models/manifest.js';

/**
 * Session config entries that make int8 results the same on every x86 CPU. Without
 * session.x64quantprecision, onnxruntime multiplies uint8 activations by int8 weights with vpmaddubsw
 * on AVX2 / AVX-512 CPUs without VNNI, which saturates each pair of products at int16: the zoo's
 * mobilenetv2-12-int8 falls from 42/50 to 35/50 top-1 on the sample photos on such a CPU (onnxruntime
 * issue #26324). With it, onnxruntime rewrites the int8 weights that can overflow to uint8 once at load
 * (QLinearConv, QLinearMatMul, QGemm, MatMulInteger, the QDQ forms), so the integer sums are exact;
 * on CPUs with VNNI, and on ARM, it changes nothing. Measured cost on this AVX2 EPYC: within noise.
 */
export const EXACT_INT8_CONFIG = { session: { x64quantprecision: '1' } } as const;

export interface SessionOptions {
  /** Intra-op threads; default the machine's cores (a Lambda's vCPUs follow its memory size). */
  threads?: number;
}

export interface ModelSession {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  /** False when the model's batch dimension is fixed at 1: batches are then run image by image. */
  dynamicBatch: boolean;
}

export async function openSession(modelPath: string, manifest: ModelManifest, opts: SessionOptions = {}): Promise<ModelSession> {
  const threads = opts.threads ?? availableParallelism();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      extra: EXACT_INT8_CONFIG,
    });
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
