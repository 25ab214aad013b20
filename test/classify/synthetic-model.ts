/**
 * A ResNet-shaped ONNX classifier written by the test itself: Conv (no padding) → GlobalAveragePool →
 * Flatten → Gemm → 1000 logits, seeded random weights, and an input name no real model uses so the
 * classifier must read names from the session. Its output for a constant input is computable in closed
 * form (every conv window sees the same pixels), which lets the tests check mean/std and softmax exactly.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const SYNTHETIC_INPUT = 'pixels_in_an_unusual_name';
export const SYNTHETIC_OUTPUT = 'raw_class_logits';
const FEATURES = 8;
const KERNEL = 4;
const CLASSES = 1000;

/** mulberry32: a tiny seeded generator, so the weights (and the test) are the same every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

export interface SyntheticWeights {
  convW: Float32Array; // [F, 3, K, K]
  convB: Float32Array; // [F]
  gemmW: Float32Array; // [CLASSES, F] (transB)
  gemmB: Float32Array; // [CLASSES]
}

export function syntheticWeights(seed = 42): SyntheticWeights {
  const r = rng(seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => r() * scale);
  return {
    convW: fill(FEATURES * 3 * KERNEL * KERNEL, 0.2),
    convB: fill(FEATURES, 1),
    gemmW: fill(CLASSES * FEATURES, 2),
    gemmB: fill(CLASSES, 1),
  };
}

/** The logits the graph must produce for an input that is `x[c]` everywhere in channel c. */
export function expectedLogits(w: SyntheticWeights, x: [number, number, number]): Float64Array {
  const feat = new Float64Array(FEATURES);
  for (let f = 0; f < FEATURES; f++) {
    let s = w.convB[f];
    for (let c = 0; c < 3; c++) for (let k = 0; k < KERNEL * KERNEL; k++) s += w.convW[(f * 3 + c) * KERNEL * KERNEL + k] * x[c];
    feat[f] = s;
  }
  const out = new Float64Array(CLASSES);
  for (let j = 0; j < CLASSES; j++) {
    let s = w.gemmB[j];
    for (let f = 0; f < FEATURES; f++) s += w.gemmW[j * FEATURES + f] * feat[f];
    out[j] = s;
  }
  return out;
}

function tensor(name: string, dims: number[], data: Float32Array) {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(0)) });
}

function valueInfo(name: string, dims: Array<number | string>) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

const attrInts = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, ints, type: onnx.AttributeProto.AttributeType.INTS });
const attrInt = (name: string, i: number) => onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT });

/** Serialised ONNX bytes (opset 13, dynamic batch). */
export function syntheticResnetOnnx(w: SyntheticWeights = syntheticWeights()): Buffer {
  const graph = onnx.GraphProto.create({
    name: 'synthetic-resnet',
    input: [valueInfo(SYNTHETIC_INPUT, ['batch', 3, 224, 224])],
    output: [valueInfo(SYNTHETIC_OUTPUT, ['batch', CLASSES])],
    initializer: [
      tensor('conv_w', [FEATURES, 3, KERNEL, KERNEL], w.convW),
      tensor('conv_b', [FEATURES], w.convB),
      tensor('fc_w', [CLASSES, FEATURES], w.gemmW),
      tensor('fc_b', [CLASSES], w.gemmB),
    ],
    node: [
      onnx.NodeProto.create({
        opType: 'Conv',
        input: [SYNTHETIC_INPUT, 'conv_w', 'conv_b'],
        output: ['conv'],
        attribute: [attrInts('kernel_shape', [KERNEL, KERNEL]), attrInts('strides', [KERNEL, KERNEL])],
      }),
      onnx.NodeProto.create({ opType: 'GlobalAveragePool', input: ['conv'], output: ['pool'] }),
      onnx.NodeProto.create({ opType: 'Flatten', input: ['pool'], output: ['flat'], attribute: [attrInt('axis', 1)] }),
      onnx.NodeProto.create({ opType: 'Gemm', input: ['flat', 'fc_w', 'fc_b'], output: [SYNTHETIC_OUTPUT], attribute: [attrInt('transB', 1)] }),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'blog-image-moderation tests', opsetImport: [{ domain: '', version: 13 }], graph });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}
