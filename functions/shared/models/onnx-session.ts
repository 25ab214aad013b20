/**
 * Where an onnxruntime session runs. onnxruntime-node's `session.run` is synchronous on the calling
 * thread (its promise only defers the call with setImmediate), so two models in one thread never
 * overlap, however the state machine's Parallel branches are scheduled. A Lambda runs one step per
 * process and keeps the session in its own thread (`inProcessSessions`); the local engine, which runs
 * every step of every execution in one process, opens each model in a worker thread
 * (workflows/local/worker-sessions.ts) so the classifier, the safety model and the engine use different cores.
 * Both hosts open the session with the same options, so the scores are the same wherever it runs.
 */
import * as ort from 'onnxruntime-node';

/** The part of an onnxruntime session the models use. */
export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType>;
  release(): Promise<void>;
}

export interface OnnxSessionSettings {
  /** Intra-op threads (a Lambda's vCPUs; locally the model's share of the cores). */
  threads: number;
}

export interface SessionHost {
  /** Part of the process-wide model caches' keys: a worker-hosted and an in-thread model are different objects. */
  readonly name: 'in-process' | 'worker';
  open(modelPath: string, settings: OnnxSessionSettings): Promise<OnnxSession>;
}

/**
 * Session config entries that make int8 results the same on every x86 CPU. Without
 * session.x64quantprecision, onnxruntime multiplies uint8 activations by int8 weights with vpmaddubsw
 * on AVX2 / AVX-512 CPUs without VNNI, which saturates each pair of products at int16: the zoo's
 * mobilenetv2-12-int8 falls from 42/50 to 35/50 top-1 on the sample photos on such a CPU (onnxruntime
 * issue #26324). With it, onnxruntime rewrites the int8 weights that can overflow to uint8 once at load
 * (QLinearConv, QLinearMatMul, QGemm, MatMulInteger, the QDQ forms), so the integer sums are exact;
 * on CPUs with VNNI, on ARM and for float models it changes nothing.
 */
export const EXACT_INT8_CONFIG = { session: { x64quantprecision: '1' } } as const;

/** The one set of session options every model is opened with, in either host. */
export function sessionOptions(settings: OnnxSessionSettings): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: EXACT_INT8_CONFIG,
  };
}

/** The session in the calling thread: what every Lambda uses. */
export const inProcessSessions: SessionHost = {
  name: 'in-process',
  open: (modelPath, settings) => ort.InferenceSession.create(modelPath, sessionOptions(settings)),
};
