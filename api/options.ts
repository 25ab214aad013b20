/** `npm run serve` flags, validated once (zod); everything after works with ServeOptions. */
import { z } from 'zod';
import { checkFlags, parseFlags } from '../cli/flags.js';
import { DEFAULT_MODERATION_DATA_DIR } from '../functions/shared/verdict-store/config.js';

export const SERVE_USAGE = `Usage: npm run serve -- [options]

The moderation HTTP API on loopback, over the embedded engine and the local stores (the deployed stack's
routes: POST /moderations, GET /moderations/{id}, GET /verdicts/{sha256}, GET /openapi.json). Prints its
base URL and a per-start token; every request carries Authorization: Bearer <token>.

Options:
  --port <n>                 port on 127.0.0.1 (default 8787; 0 picks a free one)
  --host <addr>              address to bind (default 127.0.0.1; anything else exposes the API)
  --model <name>             classifier model from the catalog (default: the classifier's default)
  --safety-engine <engine>   local or rekognition; default $SAFETY_ENGINE, else local
  --staging-dir <dir>        where validated images are staged (default: $STAGING_DIR, else .staging)
  --data-dir <dir>           verdict store and recorded executions (default: $MODERATION_DATA_DIR, else ${DEFAULT_MODERATION_DATA_DIR})
  --mirror <dir>             offline model mirror (default: $MODEL_MIRROR, else ../shared/models if present)
  -h, --help                 show this help`;

const schema = z.object({
  port: z.coerce.number({ error: '--port must be a number' }).int('--port must be a whole number').min(0).max(65535, '--port must be at most 65535'),
  host: z.string().min(1),
  model: z.string().min(1).optional(),
  safetyEngine: z.enum(['local', 'rekognition'], { error: '--safety-engine must be local or rekognition' }),
  stagingDir: z.string().min(1),
  dataDir: z.string().min(1, 'MODERATION_DATA_DIR must not be empty'),
  mirror: z.string().min(1).optional(),
});

export type ServeOptions = z.infer<typeof schema>;

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; options: ServeOptions } {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    model: { type: 'string' },
    'safety-engine': { type: 'string' },
    'staging-dir': { type: 'string' },
    'data-dir': { type: 'string' },
    mirror: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };
  const options = checkFlags(schema, {
    port: values.port ?? 8787,
    host: values.host ?? '127.0.0.1',
    model: values.model,
    safetyEngine: values['safety-engine'] ?? (env.SAFETY_ENGINE || 'local'),
    stagingDir: values['staging-dir'] ?? (env.STAGING_DIR || '.staging'),
    dataDir: values['data-dir'] ?? (env.MODERATION_DATA_DIR || DEFAULT_MODERATION_DATA_DIR),
    mirror: values.mirror,
  });
  return { help: false, options };
}
