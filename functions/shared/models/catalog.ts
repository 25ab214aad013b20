import { z } from 'zod';
import catalogJson from '../../../models/catalog.json' with { type: 'json' };
import { sha256Schema } from '../contracts/sha256.js';
import { ConfigError, ModelNotFoundError } from '../errors.js';
import { parseManifest, type ModelManifest } from './manifest.js';

/** Runs on a laptop or in CI without internet: byte-identical to the zoo file, in the offline mirror. */
export const DEFAULT_LOCAL_MODEL = 'mobilenetv2-12-int8';
/**
 * What the Lambda classifies with: the same model as locally, the only classifier whose verdicts
 * `npm run eval` has measured here, and the fastest (README "Models"). ResNet-50 int8 stays an option
 * (`modelName: resnet50-v1-12-int8`).
 */
export const DEFAULT_DEPLOYED_MODEL = DEFAULT_LOCAL_MODEL;

/** A plain file pinned by content, such as the ImageNet synset list. */
export interface PinnedFile {
  file: string;
  url?: string;
  sha256: string;
  bytes?: number;
  license?: string;
}

const pinnedFileSchema = z.object({
  file: z.string().min(1),
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/)
    .optional(),
  sha256: sha256Schema,
  bytes: z.number().int().positive().optional(),
  license: z.string().optional(),
});

// Parsed once at import: a broken catalog is a build error, not something to discover per request.
const catalogSchema = z.object({ synset: pinnedFileSchema, models: z.array(z.unknown()).min(1) });
const parsedCatalog = catalogSchema.safeParse(catalogJson);
if (!parsedCatalog.success) {
  throw new ConfigError(`models/catalog.json is invalid: ${z.prettifyError(parsedCatalog.error)}`);
}
const MODELS: readonly ModelManifest[] = parsedCatalog.data.models.map((m, i) => parseManifest(m, `models/catalog.json models[${i}]`));

/**
 * The canonical ImageNet synset list ("wnid name, synonyms", class-index order = sorted wnids). Labels
 * files that carry names only take their wnids from it.
 */
export const IMAGENET_SYNSET: PinnedFile = parsedCatalog.data.synset;

export function listCatalog(): ModelManifest[] {
  return MODELS.map((m) => structuredClone(m));
}

export function findCatalogEntry(name: string, catalog: readonly ModelManifest[] = MODELS): ModelManifest | undefined {
  const found = catalog.find((m) => m.name === name);
  return found && structuredClone(found);
}

export function catalogEntry(name: string, catalog: readonly ModelManifest[] = MODELS): ModelManifest {
  const found = findCatalogEntry(name, catalog);
  if (found) return found;
  const known = catalog.map((m) => m.name).join(', ');
  throw new ModelNotFoundError(
    `Model ${JSON.stringify(name)} is not in the catalog. Known models: ${known}. ` +
      'Set MODEL_NAME to one of them, or MODEL_PATH to a model file with its manifest.json beside it.',
    { name, known: catalog.map((m) => m.name) },
  );
}
