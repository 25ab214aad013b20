/**
 * The classifier core: bytes in, top-5 ImageNet labels out. It takes resolved inputs (a verified model
 * file, its manifest and labels) so it is tested without the store; getClassifier() in handler.ts wires
 * the store.
 */
import * as ort from 'onnxruntime-node';
import type { ClassLabel, ModelRef } from '../shared/contracts/index.js';
import { ModelContractError } from '../shared/errors.js';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import type { ClassName } from '../shared/models/labels.js';
import type { ModelManifest } from '../shared/models/manifest.js';
import type { SessionHost } from '../shared/models/onnx-session.js';
import { phase, phaseSync } from '../shared/telemetry/phases.js';
import type { ImageSource } from '../shared/raster.js';
import { toModelPixels, writeTensor, type PreprocessLimits } from './preprocess.js';
import { openSession, type ModelSession } from './session.js';
import { softmax, topK } from './topk.js';

export interface ClassifierOptions {
  modelPath: string;
  manifest: ModelManifest;
  /** Indexed by output index; null where the output has no ImageNet class (background). */
  labels: ReadonlyArray<ClassName | null>;
  /** The verified sha256 of modelPath, reported with every result. */
  sha256: string;
  threads?: number;
  /** Where the onnxruntime session runs (default: this thread). */
  host?: SessionHost;
  limits?: PreprocessLimits;
  topK?: number;
}

export class Classifier {
  readonly model: ModelRef;

  private constructor(
    private readonly ms: ModelSession,
    private readonly opts: ClassifierOptions,
  ) {
    this.model = { name: opts.manifest.name, sha256: opts.sha256 };
  }

  static async create(opts: ClassifierOptions): Promise<Classifier> {
    const { manifest, labels } = opts;
    if (labels.length !== manifest.output.classes) {
      throw new ModelContractError(
        `${manifest.name} has ${manifest.output.classes} outputs but ${labels.length} labels; the labels file does not belong to this model.`,
      );
    }
    return new Classifier(await openSession(opts.modelPath, manifest, { threads: opts.threads, host: opts.host }), opts);
  }

  get inputNames() {
    return { input: this.ms.inputName, output: this.ms.outputName };
  }

  private get spec() {
    return this.opts.manifest.input;
  }

  /** Builds the [n, ...] input tensor for already-preprocessed images. */
  async tensorFor(images: ImageSource[]): Promise<ort.Tensor> {
    const { width, height, layout } = this.spec;
    const size = 3 * width * height;
    const data = new Float32Array(size * images.length);
    const pixels = await Promise.all(images.map((b) => toModelPixels(b, this.spec, this.opts.limits ?? DEFAULT_LIMITS)));
    phaseSync('tensor', () => pixels.forEach((px, i) => writeTensor(px, this.spec, data, i * size)));
    const dims = layout === 'NCHW' ? [images.length, 3, height, width] : [images.length, height, width, 3];
    return new ort.Tensor('float32', data, dims);
  }

  /** session.run on a prepared tensor → one probability vector per image. */
  async run(tensor: ort.Tensor): Promise<Float32Array[]> {
    const n = tensor.dims[0];
    if (n > 1 && !this.ms.dynamicBatch) {
      // A fixed batch-1 model: split, run one by one, keep the API.
      const size = tensor.size / n;
      const data = tensor.data as Float32Array;
      const out: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        const one = new ort.Tensor('float32', data.subarray(i * size, (i + 1) * size), [1, ...tensor.dims.slice(1)]);
        out.push(...(await this.run(one)));
      }
      return out;
    }
    const result = await phase('session.run', () => this.ms.session.run({ [this.ms.inputName]: tensor }));
    const output = result[this.ms.outputName];
    const classes = this.opts.manifest.output.classes;
    if (output.size !== n * classes) {
      throw new ModelContractError(`${this.model.name} returned ${output.size} scores for ${n} image(s), expected ${classes} each.`);
    }
    const scores = output.data as Float32Array;
    const logits = this.opts.manifest.output.kind === 'logits';
    return Array.from({ length: n }, (_, i) => {
      const row = scores.subarray(i * classes, (i + 1) * classes);
      return logits ? softmax(row) : Float32Array.from(row);
    });
  }

  /** Top-k for several images in one session.run (when the model allows a batch). */
  async classifyBatch(images: ImageSource[]): Promise<ClassLabel[][]> {
    if (images.length === 0) return [];
    const probs = await this.run(await this.tensorFor(images));
    return probs.map((p) => topK(p, this.opts.labels, this.opts.topK ?? 5));
  }

  async classify(image: ImageSource): Promise<ClassLabel[]> {
    return (await this.classifyBatch([image]))[0];
  }

  async close(): Promise<void> {
    await this.ms.session.release();
  }
}
