/**
 * Converts the nsfwjs MobileNetV2 (TF.js layers model: Keras topology JSON plus one uint8-quantized
 * weight shard, shipped base64 inside the npm package's dist/models/mobilenet_v2/*.min.js) into an ONNX
 * graph onnxruntime runs in a few milliseconds. No TF.js at run time, no 286 MB install.
 *
 * Deterministic: the same tarball always gives the same bytes (the sha256 is pinned in models/nsfwjs.json).
 * Input stays NHWC [N, 224, 224, 3] in 0..1 as nsfwjs feeds it; one Transpose turns it into NCHW.
 */
import vm from 'node:vm';
import onnxProto from 'onnx-proto';
import { ModelContractError } from '../shared/errors.js';

const { onnx } = onnxProto;

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: string };
}

export interface TfjsModel {
  modelTopology: { model_config: { config: { name?: string; layers: KerasLayer[]; input_layers: unknown[][]; output_layers: unknown[][] } } };
  weightsManifest: Array<{ paths: string[]; weights: TfjsWeightSpec[] }>;
}

interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: Array<Array<[string, number, number, unknown]>>;
}

export const NSFW_INPUT = 'image_nhwc';
export const NSFW_OUTPUT = 'probabilities';

/**
 * Evaluates one of the package's UMD files in an empty context (no require, no process) and returns what
 * it exports: an object for the model, a base64 string for the shard. The tarball is pinned by sha256.
 */
export function evalUmd(code: string): unknown {
  const module = { exports: {} as unknown };
  vm.runInNewContext(code, { module, exports: module.exports }, { timeout: 10_000 });
  return module.exports;
}

/** uint8 * scale + min, as TF.js dequantizes (double arithmetic, stored as float32). */
export function dequantizeWeights(model: TfjsModel, shard: Buffer): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (w.quantization?.dtype === 'uint8') {
      const { min, scale } = w.quantization;
      for (let i = 0; i < n; i++) data[i] = shard[offset + i] * scale + min;
      offset += n;
    } else if (!w.quantization && w.dtype === 'float32') {
      for (let i = 0; i < n; i++) data[i] = shard.readFloatLE(offset + 4 * i);
      offset += 4 * n;
    } else {
      throw new ModelContractError(`nsfwjs weight ${w.name} uses ${w.dtype}/${w.quantization?.dtype}; the converter knows float32 and uint8.`);
    }
    out.set(w.name, { shape: w.shape, data });
  }
  if (offset !== shard.length) throw new ModelContractError(`nsfwjs weight shard is ${shard.length} bytes but the manifest describes ${offset}.`);
  return out;
}

/** Keras kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
function convKernel(w: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, cout] = w.shape as [number, number, number, number];
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          data[((o * cin + i) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o]!;
        }
  return { dims: [cout, cin, kh, kw], data };
}

/** Keras depthwise kernel [kh, kw, in, mult] → ONNX [in*mult, 1, kh, kw] with group = in. */
function depthwiseKernel(w: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, mult] = w.shape as [number, number, number, number];
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < mult; m++) {
          data[((i * mult + m) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * mult + m]!;
        }
  return { dims: [cin * mult, 1, kh, kw], data };
}

/** The square input size the model was trained at (224 for MobileNetV2, 299 for InceptionV3). */
export function inputSize(model: TfjsModel): number {
  const input = model.modelTopology.model_config.config.layers.find((l) => l.class_name === 'InputLayer');
  const shape = input?.config.batch_input_shape as Array<number | null> | undefined;
  if (!shape || shape.length !== 4 || shape[1] !== shape[2] || shape[3] !== 3)
    throw new ModelContractError(`nsfwjs model input is ${JSON.stringify(shape)}; the converter expects [null, n, n, 3].`);
  return shape[1]!;
}

/**
 * Builds the ONNX model bytes from the TF.js model and its weights (the shards concatenated in the
 * manifest's order, as TF.js reads them).
 */
export function tfjsToOnnx(
  model: TfjsModel,
  shard: Buffer,
  meta: { name: string; description: string } = { name: 'nsfwjs-mobilenet-v2', description: 'nsfwjs 4.3.0 MobileNetV2' },
): Buffer {
  const size = inputSize(model);
  const weights = dequantizeWeights(model, shard);
  const take = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new ModelContractError(`nsfwjs weights lack ${name}; the package layout changed.`);
    return w;
  };
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const init = (name: string, dims: number[], data: Float32Array) => {
    initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  };
  const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS });
  const int = (name: string, v: number) => onnx.AttributeProto.create({ name, i: v, type: onnx.AttributeProto.AttributeType.INT });
  const float = (name: string, v: number) => onnx.AttributeProto.create({ name, f: v, type: onnx.AttributeProto.AttributeType.FLOAT });
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) => {
    nodes.push(onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute }));
    return output;
  };
  init('clip_min', [], Float32Array.of(0));
  init('clip_max6', [], Float32Array.of(6));

  const outputs = new Map<string, string>();
  const inputOf = (l: KerasLayer, i = 0) => {
    const src = l.inbound_nodes[0]?.[i]?.[0];
    const t = src && outputs.get(src);
    if (!t) throw new ModelContractError(`nsfwjs layer ${l.name} has an input the converter has not built (${src}).`);
    return t;
  };
  const samePads = (l: KerasLayer, k: number[]) => {
    const strides = (l.config.strides as number[] | undefined) ?? [1, 1];
    if (l.config.padding === 'valid') return [0, 0, 0, 0];
    if (strides.some((s) => s !== 1))
      throw new ModelContractError(`nsfwjs layer ${l.name}: "same" padding with stride ${strides} is not supported by the converter.`);
    const before = k.map((x) => Math.floor((x - 1) / 2));
    const after = k.map((x, i) => x - 1 - before[i]);
    return [before[0], before[1], after[0], after[1]];
  };
  const activation = (l: KerasLayer, t: string, out = `${l.name}/${String(l.config.activation)}`) => {
    const a = l.config.activation as string | undefined;
    if (!a || a === 'linear') return t;
    if (a === 'relu') return node('Relu', [t], out);
    if (a === 'softmax') return node('Softmax', [t], out, [int('axis', 1)]);
    throw new ModelContractError(`nsfwjs layer ${l.name}: activation ${a} is not supported by the converter.`);
  };

  for (const l of model.modelTopology.model_config.config.layers) {
    const c = l.config;
    let out: string;
    switch (l.class_name) {
      case 'InputLayer':
        out = node('Transpose', [NSFW_INPUT], `${l.name}/nchw`, [ints('perm', [0, 3, 1, 2])]);
        break;
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = c.padding as [[number, number], [number, number]];
        const pads = `${l.name}/pads`;
        initializers.push(
          onnx.TensorProto.create({ name: pads, dims: [8], dataType: onnx.TensorProto.DataType.INT64, int64Data: [0, 0, top, left, 0, 0, bottom, right] }),
        );
        out = node('Pad', [inputOf(l), pads], l.name);
        break;
      }
      case 'Conv2D': {
        const k = convKernel(take(`${l.name}/kernel`));
        const inputs = [inputOf(l), init(`${l.name}/W`, k.dims, k.data)];
        if (c.use_bias) inputs.push(init(`${l.name}/B`, [k.dims[0]], take(`${l.name}/bias`).data));
        const ks = c.kernel_size as number[];
        out = activation(
          l,
          node('Conv', inputs, l.name, [
            ints('kernel_shape', ks),
            ints('strides', (c.strides as number[]) ?? [1, 1]),
            ints('pads', samePads(l, ks)),
            ints('dilations', (c.dilation_rate as number[]) ?? [1, 1]),
          ]),
        );
        break;
      }
      case 'DepthwiseConv2D': {
        const k = depthwiseKernel(take(`${l.name}/depthwise_kernel`));
        const inputs = [inputOf(l), init(`${l.name}/W`, k.dims, k.data)];
        if (c.use_bias) inputs.push(init(`${l.name}/B`, [k.dims[0]], take(`${l.name}/bias`).data));
        const ks = c.kernel_size as number[];
        const groups = take(`${l.name}/depthwise_kernel`).shape[2];
        out = activation(
          l,
          node('Conv', inputs, l.name, [
            ints('kernel_shape', ks),
            ints('strides', (c.strides as number[]) ?? [1, 1]),
            ints('pads', samePads(l, ks)),
            int('group', groups),
          ]),
        );
        break;
      }
      case 'BatchNormalization': {
        if (c.axis !== undefined && c.axis !== 3 && c.axis !== -1)
          throw new ModelContractError(`nsfwjs layer ${l.name}: batch normalization over axis ${JSON.stringify(c.axis)} is not supported.`);
        const mean = take(`${l.name}/moving_mean`);
        const n = mean.shape[0];
        // Keras leaves gamma out with scale=False and beta out with center=False: they are 1 and 0.
        const gamma = c.scale === false ? new Float32Array(n).fill(1) : take(`${l.name}/gamma`).data;
        const beta = c.center === false ? new Float32Array(n) : take(`${l.name}/beta`).data;
        out = node(
          'BatchNormalization',
          [
            inputOf(l),
            init(`${l.name}/gamma`, [n], gamma),
            init(`${l.name}/beta`, [n], beta),
            init(`${l.name}/mean`, [n], mean.data),
            init(`${l.name}/var`, [n], take(`${l.name}/moving_variance`).data),
          ],
          l.name,
          [float('epsilon', (c.epsilon as number) ?? 1e-3)],
        );
        break;
      }
      case 'ReLU': {
        if ((c.negative_slope as number) || (c.threshold as number))
          throw new ModelContractError(`nsfwjs layer ${l.name}: leaky/thresholded ReLU is not supported.`);
        out =
          c.max_value == null
            ? node('Relu', [inputOf(l)], l.name)
            : node(
                'Clip',
                [inputOf(l), 'clip_min', c.max_value === 6 ? 'clip_max6' : init(`${l.name}/max`, [], Float32Array.of(c.max_value as number))],
                l.name,
              );
        break;
      }
      case 'Add':
        out = node('Add', [inputOf(l, 0), inputOf(l, 1)], l.name);
        break;
      case 'Activation':
        if (!c.activation || c.activation === 'linear') throw new ModelContractError(`nsfwjs layer ${l.name}: a linear Activation layer is unexpected.`);
        out = activation(l, inputOf(l), l.name);
        break;
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        const pool = c.pool_size as number[];
        // TF's "same" average pooling divides by the window's in-image pixels only: ONNX's count_include_pad=0 (its default).
        const pads = samePads(l, pool);
        // No pads attribute when there is no padding: keeps the MobileNetV2 conversion byte-identical to its pin.
        out = node(l.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [inputOf(l)], l.name, [
          ints('kernel_shape', pool),
          ints('strides', (c.strides as number[]) ?? pool),
          ...(pads.some((x) => x) ? [ints('pads', pads)] : []),
        ]);
        break;
      }
      case 'Concatenate': {
        // Keras concatenates NHWC channels (axis 3 or -1); the graph is NCHW, so channels are axis 1.
        if (c.axis !== 3 && c.axis !== -1) throw new ModelContractError(`nsfwjs layer ${l.name}: concatenation over axis ${String(c.axis)} is not supported.`);
        out = node(
          'Concat',
          l.inbound_nodes[0].map((_, i) => inputOf(l, i)),
          l.name,
          [int('axis', 1)],
        );
        break;
      }
      case 'Flatten':
        // The last pool leaves 1x1 spatially (7x7 pool in MobileNetV2, 8x8 in InceptionV3), so NCHW and NHWC flatten to the same order.
        out = node('Flatten', [inputOf(l)], l.name, [int('axis', 1)]);
        break;
      case 'Dense': {
        const k = take(`${l.name}/kernel`);
        const inputs = [inputOf(l), init(`${l.name}/W`, k.shape, k.data)];
        if (c.use_bias) inputs.push(init(`${l.name}/B`, [k.shape[1]], take(`${l.name}/bias`).data));
        out = activation(l, node('Gemm', inputs, l.name));
        break;
      }
      case 'Dropout':
        out = inputOf(l); // inference: identity
        break;
      default:
        throw new ModelContractError(`nsfwjs layer ${l.name} is a ${l.class_name}, which the converter does not know.`);
    }
    outputs.set(l.name, out);
  }
  const last = model.modelTopology.model_config.config.output_layers[0][0] as string;
  node('Identity', [outputs.get(last)!], NSFW_OUTPUT);

  const valueInfo = (name: string, dims: Array<number | string>) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
      },
    });
  const graph = onnx.GraphProto.create({
    name: meta.name,
    input: [valueInfo(NSFW_INPUT, ['batch', size, size, 3])],
    output: [valueInfo(NSFW_OUTPUT, ['batch', 5])],
    // The shared ReLU6 bounds are declared up front; a model without ReLU6 (InceptionV3) drops them, so onnxruntime has nothing to warn about.
    initializer: initializers.filter((t) => !t.name.startsWith('clip_') || nodes.some((n) => n.input.includes(t.name))),
    node: nodes,
  });
  const m = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'blog-image-moderation functions/safety/nsfw-convert.ts',
    producerVersion: '1',
    docString: `${meta.description} (MIT, Infinite Red; weights by GantMan/nsfw_model) converted to ONNX. Classes: Drawing, Hentai, Neutral, Porn, Sexy.`,
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return Buffer.from(onnx.ModelProto.encode(m).finish());
}
