/**
 * The HTTP API's routes as one hono app over a backend: the local server (`npm run serve`, the embedded
 * engine) and the deployed API's Lambda (functions/api/handler.ts: Step Functions, DynamoDB, S3) serve
 * this same app, so a route parses, answers and names its errors the same way in both. Deployed, API
 * Gateway authorises before the Lambda runs; locally `guard` (Host check and bearer token) does.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { ModerationInput, Verdict } from '../functions/shared/contracts/index.js';
import {
  IMAGE_MEDIA_TYPES,
  sha256PathSchema,
  uploadRequestSchema,
  type ModerationStatus,
  type UploadRequest,
  type UploadTicket,
} from '../functions/shared/contracts/api.js';
import {
  describeError,
  ImageTooLarge,
  InvalidInput,
  ModerationError,
  ModerationNotFound,
  UnsupportedMediaType,
  VerdictNotFound,
} from '../functions/shared/errors.js';
import { moderationInputSchema, parseModerationInput } from '../functions/shared/moderation-input.js';

/** What a moderation answers: status code, JSON body, and where to read it again. */
export interface ModerationAnswer {
  status: 200 | 202;
  body: unknown;
  location?: string;
}

export interface ApiBackend {
  /** JSON `{ imageUrl, ... }`, already validated. Absent deployed when API Gateway starts executions itself. */
  moderate?(input: ModerationInput): Promise<ModerationAnswer>;
  /** Image bytes in the body (local only: deployed bodies go through POST /uploads and S3). */
  moderateBytes?(bytes: Uint8Array, opts: Pick<ModerationInput, 'postId' | 'reModerate'>): Promise<ModerationAnswer>;
  /** Throws ModerationNotFound. */
  getModeration?(id: string): Promise<ModerationStatus>;
  /** The recorded verdict under the backend's ruleset; throws VerdictNotFound. */
  getVerdict(sha256: string): Promise<Verdict>;
  createUpload?(request: UploadRequest): Promise<UploadTicket>;
}

export interface ApiAppOptions {
  backend: ApiBackend;
  /** The document GET /openapi.json serves (api/openapi.ts). */
  openapi: Record<string, unknown>;
  /** Largest image body accepted, in bytes (FetchImage's own cap). */
  maxBytes: number;
  /** Runs before every route (local: Host check and bearer token). */
  guard?: MiddlewareHandler[];
  /** Where unexpected failures are reported (never the request body or headers). */
  onFault?: (err: unknown) => void;
}

const STATUS_OF: Record<string, 400 | 404 | 413 | 415> = {
  [InvalidInput.name]: 400,
  [ModerationNotFound.name]: 404,
  [VerdictNotFound.name]: 404,
  [ImageTooLarge.name]: 413,
  [UnsupportedMediaType.name]: 415,
};

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The body as JSON, or InvalidInput naming why not. */
function parseJson(text: string): unknown {
  if (text.trim() === '') throw new InvalidInput('The request body is empty: send { "imageUrl": "https://..." } as application/json.');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInput('The request body is not JSON: send { "imageUrl": "https://..." } as application/json.');
  }
}

export function createApiApp(o: ApiAppOptions): Hono {
  const { backend } = o;
  const app = new Hono();
  for (const g of o.guard ?? []) app.use('*', g);
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.get('/openapi.json', (c) => c.json(o.openapi));

  if (backend.moderate || backend.moderateBytes) {
    app.post('/moderations', async (c) => {
      const type = mediaTypeOf(c.req.header('content-type'));
      let answer: ModerationAnswer;
      if (type === 'application/json' && backend.moderate) {
        answer = await backend.moderate(parseModerationInput(parseJson(await c.req.text())));
      } else if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(type) && backend.moderateBytes) {
        const declared = Number(c.req.header('content-length') ?? 0);
        if (declared > o.maxBytes) throw new ImageTooLarge(`The image is ${declared} bytes; the limit is ${o.maxBytes}.`);
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        if (bytes.byteLength > o.maxBytes) throw new ImageTooLarge(`The image is ${bytes.byteLength} bytes; the limit is ${o.maxBytes}.`);
        if (bytes.byteLength === 0) throw new InvalidInput('The request body is empty: send the image bytes.');
        const postId = moderationInputSchema.shape.postId.safeParse(c.req.query('postId'));
        if (!postId.success) throw new InvalidInput(`postId: ${postId.error.issues[0].message}.`);
        const again = c.req.query('reModerate');
        if (again !== undefined && again !== 'true' && again !== 'false')
          throw new InvalidInput(`reModerate must be true or false; got ${JSON.stringify(again.slice(0, 20))}.`);
        answer = await backend.moderateBytes(bytes, { postId: postId.data, reModerate: again === 'true' });
      } else {
        const accepted = [...(backend.moderate ? ['application/json'] : []), ...(backend.moderateBytes ? IMAGE_MEDIA_TYPES : [])];
        throw new UnsupportedMediaType(`POST /moderations takes ${accepted.join(', ')}; got ${type || 'no Content-Type'}.`);
      }
      if (answer.location) c.header('Location', answer.location);
      return c.json(answer.body as object, answer.status);
    });
  }

  if (backend.getModeration) {
    const get = backend.getModeration.bind(backend);
    app.get('/moderations/:id', async (c) => c.json(await get(c.req.param('id'))));
  }

  app.get('/verdicts/:sha256', async (c) => {
    const parsed = sha256PathSchema.safeParse(c.req.param('sha256'));
    if (!parsed.success) throw new InvalidInput(`${parsed.error.issues[0].message}; got ${JSON.stringify(c.req.param('sha256').slice(0, 80))}.`);
    return c.json(await backend.getVerdict(parsed.data));
  });

  if (backend.createUpload) {
    const create = backend.createUpload.bind(backend);
    app.post('/uploads', async (c) => {
      const parsed = uploadRequestSchema.safeParse(parseJson(await c.req.text()));
      if (!parsed.success)
        throw new InvalidInput(`Expected { contentType }: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}.`);
      return c.json(await create(parsed.data));
    });
  }

  app.notFound((c) => c.json({ error: 'NotFound', message: `No route ${c.req.method} ${c.req.path}; GET /openapi.json lists them.` }, 404));
  app.onError((err, c) => {
    const { name, message } = describeError(err);
    const status = STATUS_OF[name];
    if (status) return c.json({ error: name, message }, status);
    // A named error about the request we did not map is still the caller's answer; anything else is a fault.
    o.onFault?.(err);
    if (err instanceof ModerationError) return c.json({ error: name, message }, 500);
    return c.json({ error: 'InternalError', message: 'The API failed on this request; its log has the details.' }, 500);
  });
  return app;
}
