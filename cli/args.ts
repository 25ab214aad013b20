/**
 * The CLI's flags, parsed and validated once (zod). Everything after this module works with a typed,
 * checked CliOptions and never looks at argv again.
 */
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../functions/shared/errors.js';
import { checkFlags, parseFlags } from './flags.js';
import { DEFAULT_MODERATION_DATA_DIR } from '../functions/shared/verdict-store/config.js';
import { postSchema } from '../functions/shared/moderation-input.js';

export const USAGE = `Usage: npm start -- [options] <image path | URL | directory>...

Moderates images locally with the same state machine that runs on AWS (embedded engine).

Options:
  --json                     one JSON object per image on stdout (NDJSON), nothing else on stdout
  --verbose                  the steps' JSON logs and EMF metrics on stderr, as the Lambdas write them
                             (level: $POWERTOOLS_LOG_LEVEL, else $LOG_LEVEL, else INFO)
  --concurrency <n>          images in flight at once (default: ${availableParallelism()}, the number of cores)
  --model <name>             classifier model from the catalog (default: the classifier's default)
  --safety-engine <engine>   local or rekognition (needs AWS credentials and a region); default $SAFETY_ENGINE, else local
  --staging-dir <dir>        where validated images are staged (default: .staging)
  --data-dir <dir>           the verdict + review store (default: $MODERATION_DATA_DIR, else .moderation)
  --re-moderate              moderate again even when the store has a verdict for the image
  --post <title>             the post the images are for: every verdict gets its relevance to it
  --keywords <a,b,...>       the post's keywords (with --post)
  --rank                     with --post: rank the images for the post, best first (approved before held,
                             then relevance, then quality), each with why; known images run no model
  --mirror <dir>             offline model mirror (default: $MODEL_MIRROR, else ../shared/models if present)
  --state-machine-arn <arn>  moderate with the deployed stack instead (the stack's stateMachineArn output,
                             or $STATE_MACHINE_ARN); inputs must then be https:// or s3:// URLs
  --workflow-type <type>     STANDARD (default; start + poll) or EXPRESS (StartSyncExecution), as deployed
  --no-record                do not record local executions for the console (default: recorded under
                             <data dir>/executions)
  -h, --help                 show this help

Exit codes: 0 every image was processed (whatever the decisions), 1 environment or processing error,
2 usage error.`;

/** A URL the fetch step understands; anything else is taken as a local path. */
export function isUrl(s: string): boolean {
  return /^(https?|s3|file):\/\//i.test(s);
}

const optionsSchema = z.object({
  inputs: z.array(z.string().min(1)).min(1, 'give at least one image path, URL or directory'),
  json: z.boolean(),
  verbose: z.boolean(),
  concurrency: z.coerce
    .number({ error: '--concurrency must be a number' })
    .int('--concurrency must be a whole number')
    .min(1, '--concurrency must be at least 1')
    .max(64, '--concurrency above 64 only queues work on this machine'),
  model: z.string().min(1).optional(),
  safetyEngine: z.enum(['local', 'rekognition'], { error: '--safety-engine must be local or rekognition' }),
  stagingDir: z.string().min(1),
  dataDir: z.string().min(1),
  reModerate: z.boolean(),
  mirror: z.string().min(1).optional(),
  stateMachineArn: z.string().min(1).optional(),
  workflowType: z.enum(['STANDARD', 'EXPRESS'], { error: '--workflow-type must be STANDARD or EXPRESS' }),
  record: z.boolean(),
  post: postSchema.optional(),
  rank: z.boolean(),
});

export type CliOptions = z.infer<typeof optionsSchema>;

export type ParsedCli = { help: true } | { help: false; options: CliOptions };

/** Throws ConfigError (the CLI exits 2) with a message naming the bad flag. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedCli {
  const { values, positionals } = parseRaw(argv);
  if (values.help) return { help: true };
  const options = checkFlags(
    optionsSchema,
    {
      inputs: positionals,
      json: values.json ?? false,
      verbose: values.verbose ?? false,
      concurrency: values.concurrency ?? availableParallelism(),
      model: values.model,
      safetyEngine: values['safety-engine'] ?? (env.SAFETY_ENGINE?.trim() || 'local'),
      stagingDir: values['staging-dir'] ?? env.STAGING_DIR ?? '.staging',
      dataDir: values['data-dir'] ?? (env.MODERATION_DATA_DIR || DEFAULT_MODERATION_DATA_DIR),
      reModerate: values['re-moderate'] ?? false,
      mirror: values.mirror ?? env.MODEL_MIRROR,
      stateMachineArn: values['state-machine-arn'] ?? (env.STATE_MACHINE_ARN || undefined),
      workflowType: values['workflow-type'] ?? (env.WORKFLOW_TYPE || 'STANDARD'),
      record: !values['no-record'],
      post:
        values.post !== undefined
          ? {
              title: values.post,
              ...(values.keywords
                ? {
                    keywords: values.keywords
                      .split(',')
                      .map((k) => k.trim())
                      .filter(Boolean),
                  }
                : {}),
            }
          : undefined,
      rank: values.rank ?? false,
    },
    (i) => (i.path[0] === 'post' ? `--post: ${i.message}` : i.message),
  );
  if (values.keywords !== undefined && values.post === undefined) throw new ConfigError('--keywords needs --post (the post they belong to).');
  if (options.rank && !options.post) throw new ConfigError('--rank needs --post: the title of the post to rank the images for.');
  return { help: false, options };
}

function parseRaw(argv: string[]) {
  return parseFlags(
    argv,
    {
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      concurrency: { type: 'string' },
      model: { type: 'string' },
      'safety-engine': { type: 'string' },
      'staging-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      're-moderate': { type: 'boolean' },
      mirror: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      'workflow-type': { type: 'string' },
      'no-record': { type: 'boolean' },
      post: { type: 'string' },
      keywords: { type: 'string' },
      rank: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
}

/** Extensions picked up from a directory (a file named explicitly is always tried, whatever its name). */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.heif', '.heic', '.tif', '.tiff']);

/**
 * Turns the positional arguments into execution inputs: URLs as given, files as absolute paths,
 * directories as their image files (sorted, not recursive). A missing path is a usage error, found
 * before any image is processed.
 */
export async function resolveInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of inputs) {
    if (isUrl(arg)) {
      out.push(arg);
      continue;
    }
    const abs = path.resolve(arg);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new ConfigError(`${arg}: no such file or directory. Give an image path, a directory of images, or an http(s)://, s3:// or file:// URL.`);
    }
    if (!st.isDirectory()) {
      out.push(abs);
      continue;
    }
    const entries = (await readdir(abs, { withFileTypes: true })).filter((d) => IMAGE_EXTENSIONS.has(path.extname(d.name).toLowerCase()));
    // A link counts when it leads to a regular file (a directory of links to photos is common); a dangling one does not.
    const isImageFile = async (d: (typeof entries)[number]) =>
      d.isFile() ||
      (d.isSymbolicLink() &&
        (await stat(path.join(abs, d.name)).then(
          (s) => s.isFile(),
          () => false,
        )));
    const names = (await Promise.all(entries.map(async (d) => ((await isImageFile(d)) ? path.join(abs, d.name) : undefined))))
      .filter((n): n is string => n !== undefined)
      .sort();
    if (names.length === 0) throw new ConfigError(`${arg}: the directory has no image files (${[...IMAGE_EXTENSIONS].join(' ')}).`);
    out.push(...names);
  }
  return out;
}
