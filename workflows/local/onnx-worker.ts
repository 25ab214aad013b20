/**
 * A worker thread that owns one onnxruntime session (see workflows/local/worker-sessions.ts). It opens the
 * session with the same host code as a Lambda (inProcessSessions: one set of options), then answers
 * run requests one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { inProcessSessions, type OnnxSession, type OnnxSessionSettings } from '../../functions/shared/models/onnx-session.js';

export interface WireTensor {
  type: 'float32';
  data: Float32Array;
  dims: readonly number[];
}

export type WorkerRequest = { type: 'open'; modelPath: string; settings: OnnxSessionSettings } | { type: 'run'; id: number; feeds: Record<string, WireTensor> };

export type WorkerReply =
  | { type: 'ready'; inputNames: string[]; outputNames: string[]; inputMetadata: ort.InferenceSession.ValueMetadata[] }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor>; error?: undefined }
  | { type: 'result'; id: number; error: { name: string; message: string } };

const errorOf = (err: unknown) => (err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) });

async function serve(port: NonNullable<typeof parentPort>, open: Extract<WorkerRequest, { type: 'open' }>): Promise<void> {
  let session: OnnxSession;
  try {
    session = await inProcessSessions.open(open.modelPath, open.settings);
  } catch (err) {
    port.postMessage({ type: 'result', id: 0, error: errorOf(err) } satisfies WorkerReply);
    return;
  }
  port.postMessage({
    type: 'ready',
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputMetadata: [...session.inputMetadata],
  } satisfies WorkerReply);
  port.on('message', (req: WorkerRequest) => {
    if (req.type !== 'run') return;
    void (async () => {
      try {
        const feeds = Object.fromEntries(Object.entries(req.feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, [...t.dims])]));
        const result = await session.run(feeds);
        const outputs: Record<string, WireTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [k, t] of Object.entries(result)) {
          if (t.type !== 'float32') throw new TypeError(`Output ${k} is ${t.type}; the worker session returns float32 outputs.`);
          // A copy the worker owns, so it can be moved rather than cloned.
          const data = new Float32Array(t.data as Float32Array);
          outputs[k] = { type: 'float32', data, dims: t.dims };
          transfer.push(data.buffer);
        }
        port.postMessage({ type: 'result', id: req.id, outputs } satisfies WorkerReply, transfer);
      } catch (err) {
        port.postMessage({ type: 'result', id: req.id, error: errorOf(err) } satisfies WorkerReply);
      }
    })();
  });
}

if (parentPort && (workerData as WorkerRequest | undefined)?.type === 'open') {
  void serve(parentPort, workerData as Extract<WorkerRequest, { type: 'open' }>);
}
