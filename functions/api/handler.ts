/**
 * The HTTP API's Lambda (payload format 2.0): the routes API Gateway has no direct integration for,
 * served by the same hono app as `npm run serve` (api/app.ts) over the deployed backend. API Gateway
 * has authorised the caller (IAM or JWT) before this runs.
 */
import { handle } from 'hono/aws-lambda';
import { createApiApp } from '../../api/app.js';
import { deployedBackend } from '../../api/deployed-backend.js';
import { openApiDocument } from '../../api/openapi.js';
import { describeError, InvalidInput } from '../shared/errors.js';
import { openVerdictStore } from '../shared/verdict-store/index.js';
import { apiConfigFromEnv } from './config.js';

async function createHandler() {
  const cfg = apiConfigFromEnv(process.env);
  const verdicts = await openVerdictStore({ kind: 'dynamodb', table: cfg.VERDICT_TABLE });
  const app = createApiApp({
    backend: deployedBackend({
      stateMachineArn: cfg.STATE_MACHINE_ARN,
      workflowType: cfg.WORKFLOW_TYPE,
      verdicts,
      ruleset: cfg.RULESET,
      uploads: { bucket: cfg.UPLOAD_BUCKET, prefix: cfg.UPLOAD_PREFIX, expiresSeconds: cfg.UPLOAD_EXPIRES_SECONDS, maxBytes: cfg.FETCH_MAX_BYTES },
    }),
    openapi: openApiDocument({ kind: 'deployed', workflowType: cfg.WORKFLOW_TYPE, auth: cfg.API_AUTH }),
    maxBytes: cfg.FETCH_MAX_BYTES,
    // The error's name and message only: never the request, its headers or its body.
    onFault: (err) => {
      const { name, message } = describeError(err);
      console.error(JSON.stringify({ level: 'ERROR', message: `api fault: ${name}`, errorName: name, errorMessage: message }));
    },
  });
  return handle(app);
}

let ready: ReturnType<typeof createHandler> | undefined;

/** API Gateway's payload format 2.0; anything else was not sent by this stack's HTTP API. */
function isHttpApiEvent(event: unknown): boolean {
  const e = event as { version?: unknown; requestContext?: { http?: unknown } } | null;
  return typeof e === 'object' && e !== null && e.version === '2.0' && typeof e.requestContext?.http === 'object';
}

export const handler = async (event: Parameters<Awaited<ReturnType<typeof createHandler>>>[0], context: unknown) => {
  // The input first, as every handler does: a stray invocation is InvalidInput, whatever the environment.
  if (!isHttpApiEvent(event))
    throw new InvalidInput("The API function takes HTTP API (payload format 2.0) events from API Gateway; invoke it through the stack's apiUrl.");
  // Built once per process; a failed build is retried on the next invocation rather than cached.
  ready ??= createHandler().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return (await ready)(event, context as never);
};
