import { z } from 'zod';
import { sha256AnyCaseSchema } from '../contracts/sha256.js';
import { ConfigError } from '../errors.js';

/**
 * The contract of one model file: what it is, how to verify it, how to feed it and how to read its
 * output. The same shape describes the catalog entries (models/catalog.json) and the mirror's
 * manifest.json files, which are accepted as they are.
 */

/**
 * The mirror's manifests say e.g. "logits (apply softmax)" or "probabilities (softmax already applied)":
 * the first word is what decides whether the classifier must apply softmax.
 */
const outputKindSchema = z.string().transform((text, ctx): 'logits' | 'probabilities' => {
  const word = text
    .trim()
    .toLowerCase()
    .split(/[\s(,;:]+/)[0];
  if (word === 'logits' || word === 'probabilities') return word;
  ctx.addIssue({ code: 'custom', message: `must start with "logits" or "probabilities", got ${JSON.stringify(text)}` });
  return z.NEVER;
});

const httpUrlSchema = z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL');

export const modelManifestSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only (it names a cache directory)'),
  task: z.string().optional(),
  /** Public file name (the mirror stores every model as model.onnx: files are identified by sha256). */
  file: z.string().min(1),
  sha256: sha256AnyCaseSchema,
  bytes: z.number().int().positive(),
  license: z.string().min(1),
  url: httpUrlSchema.optional(),
  /** Random weights or similar: fine for benchmarks, never for tags. */
  timingOnly: z.boolean().optional(),
  input: z.object({
    /** A hint only: the classifier reads the real name from the session. */
    name: z.string().optional(),
    dtype: z.enum(['float32', 'uint8']),
    layout: z.enum(['NCHW', 'NHWC']),
    channels: z.enum(['RGB', 'BGR']),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    scale: z.string().optional(),
    mean: z.array(z.number()).length(3),
    std: z.array(z.number().positive()).length(3),
    resize: z.string().min(1),
  }),
  output: z.object({
    name: z.string().optional(),
    kind: outputKindSchema,
    classes: z.number().int().positive(),
    /** File name of the labels beside the model (mirror) or of the public labels file. */
    labels: z.string().min(1),
    labelsUrl: httpUrlSchema.optional(),
    labelsSha256: sha256AnyCaseSchema.optional(),
    /** Output index of ImageNet class 0 (1 when index 0 is "background"). */
    labelOffset: z.number().int().min(0),
    note: z.string().optional(),
  }),
});

export type ModelManifest = z.output<typeof modelManifestSchema>;

/** How an image becomes the model's input square. */
export interface ResizeRule {
  /** The shorter side is scaled to this (aspect kept) before the centre crop. */
  shorterSide: number;
  cropWidth: number;
  cropHeight: number;
}

/**
 * Reads the manifests' resize sentence ("shorter side to 256 (aspect kept), then centre crop 224x224").
 * Only that rule is understood: stretching instead of cropping costs the zoo model 5 points of top-1
 * (docs/decisions.md, "Models"), so an unknown rule must fail loudly rather than be approximated.
 */
export function resizeRule(input: Pick<ModelManifest['input'], 'resize' | 'width' | 'height'>): ResizeRule | undefined {
  const m = /shorter side to (\d+).*centre crop (\d+)\s*x\s*(\d+)/i.exec(input.resize);
  if (!m) return undefined;
  return { shorterSide: Number(m[1]), cropWidth: Number(m[2]), cropHeight: Number(m[3]) };
}

/** True for models whose predictions mean nothing (random weights): benchmarks only. */
export function isTimingOnly(manifest: ModelManifest): boolean {
  return manifest.timingOnly === true || /timing only/i.test(manifest.task ?? '');
}

/**
 * Validates a manifest (parsed JSON). `where` names its origin (a file path, "catalog entry 3") so the
 * error points at what to fix.
 */
export function parseManifest(json: unknown, where: string): ModelManifest {
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`Model manifest ${where} is invalid: ${problems}. Fix the manifest (see models/README.md).`, {
      where,
    });
  }
  const manifest = parsed.data;
  const rule = resizeRule(manifest.input);
  if (!rule) {
    throw new ConfigError(
      `Model manifest ${where}: input.resize ${JSON.stringify(manifest.input.resize)} is not understood; ` +
        'write it as "shorter side to <N> (aspect kept), then centre crop <W>x<H>".',
      { where },
    );
  }
  if (rule.cropWidth !== manifest.input.width || rule.cropHeight !== manifest.input.height) {
    throw new ConfigError(
      `Model manifest ${where}: input.resize crops ${rule.cropWidth}x${rule.cropHeight} but the input is ` +
        `${manifest.input.width}x${manifest.input.height}; make them agree.`,
      { where },
    );
  }
  if (manifest.output.labelOffset >= manifest.output.classes) {
    throw new ConfigError(`Model manifest ${where}: output.labelOffset must be below output.classes.`, { where });
  }
  return manifest;
}
