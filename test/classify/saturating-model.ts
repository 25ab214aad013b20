/**
 * A tiny QOperator int8 graph whose exact answer is known and which an int16-saturating kernel gets
 * wrong: uint8 activations near 255 times int8 weights near ±128, in channel pairs of equal sign, so
 * every pair of products (what vpmaddubsw adds in int16 on AVX2 without VNNI) overflows. The same
 * weights go through QLinearMatMul and a 1x1 QLinearConv, the two ops the zoo's int8 classifiers use.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

export const CHANNELS = 64;
export const FEATURES = 16;
/** Output quantization: y = round(acc / OUT_SCALE) + OUT_ZERO, clamped to uint8. */
const OUT_SCALE = 4099;
const OUT_ZERO = 250;

export const SATURATING_INPUT = 'x';

/** Input pixel values (already integers 0..255, scale 1, zero point 0). */
export function saturatingInput(): Float32Array {
  return Float32Array.from({ length: CHANNELS }, (_, c) => 255 - (c % 7));
}

/** Weights [FEATURES][CHANNELS]: channels 2k and 2k+1 share a sign, the magnitude stays near 128. */
export function saturatingWeights(): Int8Array {
  const w = new Int8Array(FEATURES * CHANNELS);
  for (let f = 0; f < FEATURES; f++) {
    for (let c = 0; c < CHANNELS; c++) {
      const positive = ((c >> 1) + f) % 3 === 0;
      w[f * CHANNELS + c] = positive ? 127 - ((c + f) % 5) : -128 + ((c + f) % 5);
    }
  }
  return w;
}

/** The int32 sums per feature, computed exactly, or with each pair of products clamped to int16. */
export function accumulate(x: Float32Array, w: Int8Array, pairClamp: boolean): number[] {
  return Array.from({ length: FEATURES }, (_, f) => {
    let acc = 0;
    for (let c = 0; c < CHANNELS; c += 2) {
      const pair = x[c] * w[f * CHANNELS + c] + x[c + 1] * w[f * CHANNELS + c + 1];
      acc += pairClamp ? Math.max(-32768, Math.min(32767, pair)) : pair;
    }
    return acc;
  });
}

/** What the graph outputs (dequantized) for integer sums `acc`. */
export function dequantizedOutput(acc: number[]): number[] {
  return acc.map((a) => (Math.min(255, Math.max(0, Math.round(a / OUT_SCALE) + OUT_ZERO)) - OUT_ZERO) * OUT_SCALE);
}

const u8 = (name: string, dims: number[], v: ArrayLike<number>) => onnx.TensorProto.create({ name, dims, dataType: T.UINT8, rawData: Uint8Array.from(v) });
const s8 = (name: string, dims: number[], v: Int8Array) =>
  onnx.TensorProto.create({ name, dims, dataType: T.INT8, rawData: new Uint8Array(v.buffer.slice(0)) });
const f32 = (name: string, dims: number[], v: number[]) =>
  onnx.TensorProto.create({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(Float32Array.from(v).buffer) });
const i64 = (name: string, v: number[]) => onnx.TensorProto.create({ name, dims: [v.length], dataType: T.INT64, int64Data: v });
const floatInfo = (name: string, dims: number[]) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/** Serialised ONNX bytes: input x [1, CHANNELS] → outputs `matmul` [1, FEATURES] and `conv` [1, FEATURES, 1, 1]. */
export function saturatingOnnx(): Buffer {
  const w = saturatingWeights();
  const wT = new Int8Array(CHANNELS * FEATURES);
  for (let f = 0; f < FEATURES; f++) for (let c = 0; c < CHANNELS; c++) wT[c * FEATURES + f] = w[f * CHANNELS + c]!;
  const node = (opType: string, input: string[], output: string) => onnx.NodeProto.create({ opType, input, output: [output] });
  const graph = onnx.GraphProto.create({
    name: 'int16-saturation-probe',
    input: [floatInfo(SATURATING_INPUT, [1, CHANNELS])],
    output: [floatInfo('matmul', [1, FEATURES]), floatInfo('conv', [1, FEATURES, 1, 1])],
    initializer: [
      f32('one', [], [1]),
      u8('zero_u8', [], [0]),
      // One weight zero point per op, as onnxruntime's quantizer writes them (onnxruntime 1.30 cannot
      // convert a shared one: "Attempt to replace the existing tensor").
      s8('w_conv_zero', [], new Int8Array(1)),
      s8('w_matmul_zero', [], new Int8Array(1)),
      s8('w_conv', [FEATURES, CHANNELS, 1, 1], w),
      s8('w_matmul', [CHANNELS, FEATURES], wT),
      f32('y_scale', [], [OUT_SCALE]),
      u8('y_zero', [], [OUT_ZERO]),
      i64('nchw', [1, CHANNELS, 1, 1]),
    ],
    node: [
      node('QuantizeLinear', [SATURATING_INPUT, 'one', 'zero_u8'], 'xq'),
      node('QLinearMatMul', ['xq', 'one', 'zero_u8', 'w_matmul', 'one', 'w_matmul_zero', 'y_scale', 'y_zero'], 'mq'),
      node('DequantizeLinear', ['mq', 'y_scale', 'y_zero'], 'matmul'),
      node('Reshape', ['xq', 'nchw'], 'xq4'),
      node('QLinearConv', ['xq4', 'one', 'zero_u8', 'w_conv', 'one', 'w_conv_zero', 'y_scale', 'y_zero'], 'cq'),
      node('DequantizeLinear', ['cq', 'y_scale', 'y_zero'], 'conv'),
    ],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'blog-image-moderation tests', opsetImport: [{ domain: '', version: 13 }], graph });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}
