/**
 * The local engine's SessionHost: each model's onnxruntime session lives in its own worker thread
 * (workflows/local/onnx-worker.ts), because onnxruntime-node runs a session synchronously on the thread that
 * calls it (functions/shared/models/onnx-session.ts). With every model in the main thread, the
 * classifier and the safety model of one execution took turns, and both blocked the engine, the
 * staging I/O and sharp's callbacks of every other execution.
 *
 * Inputs are copied to the worker (callers reuse their buffers: a batch is split into views, the safety
 * engine mirrors the same pixels), outputs are moved back. An idle worker does not keep the process
 * alive, so nothing has to close it; it is referenced only while a run is in flight.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { OnnxSession, OnnxSessionSettings, SessionHost } from '../../functions/shared/models/onnx-session.js';
import type { WorkerReply, WorkerRequest, WireTensor } from './onnx-worker.js';

const WORKER_URL = new URL('./onnx-worker.ts', import.meta.url);

function toWire(feeds: ort.InferenceSession.FeedsType): Record<string, WireTensor> {
  const wire: Record<string, WireTensor> = {};
  for (const [name, value] of Object.entries(feeds)) {
    if (value.type !== 'float32') throw new TypeError(`The worker session takes float32 inputs; ${name} is ${value.type}.`);
    wire[name] = { type: 'float32', data: value.data as Float32Array, dims: value.dims };
  }
  return wire;
}

/** An Error with the worker's error name kept (what callers and the engine's Catch match on). */
function revive(e: { name: string; message: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

class WorkerSession implements OnnxSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ort.InferenceSession.ReturnType) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[],
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'result') return;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.settled(reply.id);
      if (reply.error) p.reject(revive(reply.error));
      else p.resolve(Object.fromEntries(Object.entries(reply.outputs).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const [id, p] of this.pending) {
        this.settled(id);
        p.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The onnxruntime worker thread exited (code ${code}); the model session is gone. Restart the process.`)));
    worker.unref();
  }

  static open(modelPath: string, settings: OnnxSessionSettings): Promise<WorkerSession> {
    const request: WorkerRequest = { type: 'open', modelPath, settings };
    // A worker inherits the process's execArgv (tsx's loader, which it needs) but not its -e/--input-type.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(WORKER_URL, { workerData: request, name: `onnx ${modelPath}`, execArgv });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        void worker.terminate();
        reject(err);
      };
      worker.once('error', onError);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', onError);
        if (reply.type === 'ready') resolve(new WorkerSession(worker, reply.inputNames, reply.outputNames, reply.inputMetadata));
        else {
          void worker.terminate();
          reject(revive(reply.type === 'result' && reply.error ? reply.error : { name: 'Error', message: 'The onnxruntime worker did not start.' }));
        }
      });
    });
  }

  run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const request: WorkerRequest = { type: 'run', id, feeds: toWire(feeds) };
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  async release(): Promise<void> {
    this.failure ??= new Error('The model session was released.');
    await this.worker.terminate();
  }
}

/** Each model in a worker thread of its own. */
export const workerSessions: SessionHost = {
  name: 'worker',
  open: (modelPath, settings) => WorkerSession.open(modelPath, settings),
};
