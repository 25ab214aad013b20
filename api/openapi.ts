/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contracts' zod schemas (z.toJSONSchema:
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is), for the local server and for a deployed stack.
 * The two differ only where the product does: how a caller authenticates, whether bytes may be posted
 * directly, and what POST /moderations answers on each workflow type.
 */
import { z } from 'zod';
import {
  apiErrorSchema,
  IMAGE_MEDIA_TYPES,
  moderationStatusSchema,
  sha256PathSchema,
  startedExecutionSchema,
  syncExecutionSchema,
  uploadRequestSchema,
  uploadTicketSchema,
} from '../functions/shared/contracts/api.js';
import { moderationInputSchema } from '../functions/shared/moderation-input.js';

export type ApiTarget =
  | { kind: 'local' }
  /** `auth`: an HTTP API route takes one authoriser, so a stack is either IAM (SigV4) or JWT throughout. */
  | { kind: 'deployed'; workflowType: 'STANDARD' | 'EXPRESS'; auth: 'iam' | 'jwt' };

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Schemas of one direction (request bodies are read as zod's input, answers as its output). */
function components(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, Json>;
  // $schema and $id are implied by the document (jsonSchemaDialect) and its component names.
  return Object.fromEntries(Object.entries(out).map(([k, { $schema: _s, $id: _i, ...rest }]) => [k, rest]));
}

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

/** The API's own version (routes and payloads), raised when either changes incompatibly. */
export const API_VERSION = '1.0.0';

export function openApiDocument(target: ApiTarget, version: string = API_VERSION): Json {
  const local = target.kind === 'local';
  const sync = local || target.workflowType === 'EXPRESS';
  const security = [{ [local ? 'bearer' : target.auth === 'jwt' ? 'jwt' : 'sigv4']: [] }];
  const verdictRecord = {
    type: 'object',
    description: local
      ? 'The record `npm start -- --json` prints for one image: decision, decidedBy, reviewId, reasons, seoTags, altText, labels, moderation, timings, model, image.'
      : 'The Verdict the state machine answers.',
  };

  const moderationsPost: Json = {
    operationId: 'moderate',
    summary: local ? 'Moderate an image (its bytes, or a URL) and answer the verdict.' : 'Start a moderation.',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: ref('ModerationInput') },
        ...(local ? Object.fromEntries(IMAGE_MEDIA_TYPES.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }])) : {}),
      },
    },
    ...(local
      ? {
          parameters: [
            { name: 'postId', in: 'query', required: false, description: 'The post an image body is for.', schema: { type: 'string', maxLength: 512 } },
            { name: 'reModerate', in: 'query', required: false, description: 'Moderate again even when a verdict is recorded.', schema: { type: 'boolean' } },
          ],
        }
      : {}),
    responses: {
      ...(local
        ? {
            '200': {
              description: 'The verdict.',
              headers: { Location: { description: 'GET it again here.', schema: { type: 'string' } } },
              content: { 'application/json': { schema: verdictRecord } },
            },
          }
        : sync
          ? {
              '200': {
                description: 'Step Functions\u2019 StartSyncExecution answer: the verdict is `output`.',
                content: { 'application/json': { schema: ref('SyncExecution') } },
              },
            }
          : {
              '202': {
                description: 'Started: poll Location for the verdict.',
                headers: { Location: { description: '/moderations/{executionArn}', schema: { type: 'string' } } },
                content: { 'application/json': { schema: ref('StartedExecution') } },
              },
            }),
      '400': errorAnswer(local ? 'InvalidInput: the body does not match ModerationInput (or is empty).' : 'InvalidExecutionInput: the body is not JSON.'),
      ...(local ? { '413': errorAnswer('ImageTooLarge'), '415': errorAnswer('UnsupportedMediaType') } : {}),
    },
  };

  const paths: Json = {
    '/moderations': { post: moderationsPost },
    ...(sync && !local
      ? {}
      : {
          '/moderations/{id}': {
            get: {
              operationId: 'getModeration',
              summary: 'Where a moderation is, and its verdict once it has one.',
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              responses: {
                '200': { description: 'Its status.', content: { 'application/json': { schema: ref('ModerationStatus') } } },
                '404': errorAnswer('ModerationNotFound'),
              },
            },
          },
        }),
    '/verdicts/{sha256}': {
      get: {
        operationId: 'getVerdict',
        summary: 'The recorded verdict for an image, by the SHA-256 of its bytes, under this API\u2019s ruleset.',
        parameters: [{ name: 'sha256', in: 'path', required: true, schema: ref('Sha256') }],
        responses: {
          '200': {
            description: 'The verdict (a pending review answers decision review with its reviewId).',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '400': errorAnswer('InvalidInput: not a SHA-256.'),
          '404': errorAnswer('VerdictNotFound'),
        },
      },
    },
    ...(local
      ? {}
      : {
          '/uploads': {
            post: {
              operationId: 'createUpload',
              summary: 'A presigned S3 PUT for image bytes (a Step Functions input is capped at 256 KB): PUT them, then moderate imageUrl.',
              requestBody: { required: true, content: { 'application/json': { schema: ref('UploadRequest') } } },
              responses: {
                '200': { description: 'Where to PUT the bytes.', content: { 'application/json': { schema: ref('UploadTicket') } } },
                '400': errorAnswer('InvalidInput'),
              },
            },
          },
        }),
    '/openapi.json': {
      get: {
        operationId: 'openApi',
        summary: 'This document.',
        responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };

  const schemas = {
    ...components({ ModerationInput: moderationInputSchema, UploadRequest: uploadRequestSchema }, 'input'),
    ...components(
      {
        Error: apiErrorSchema,
        Sha256: sha256PathSchema,
        ModerationStatus: moderationStatusSchema,
        UploadTicket: uploadTicketSchema,
        StartedExecution: startedExecutionSchema,
        SyncExecution: syncExecutionSchema,
      },
      'output',
    ),
  };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Blog image moderation',
      version,
      description: local
        ? 'The local server (`npm run serve`): the embedded engine and the local stores, on loopback, with the token it printed at start.'
        : target.auth === 'jwt'
          ? 'A deployed stack\u2019s HTTP API (API Gateway): requests carry a JWT from the configured issuer.'
          : 'A deployed stack\u2019s HTTP API (API Gateway): requests are signed with SigV4 (execute-api:Invoke from the stack\u2019s publisher policy).',
    },
    security,
    paths,
    components: {
      schemas,
      securitySchemes: local
        ? { bearer: { type: 'http', scheme: 'bearer', description: 'The token `npm run serve` printed (new at every start).' } }
        : target.auth === 'jwt'
          ? { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the stack\u2019s configured issuer, for its audience.' } }
          : {
              sigv4: {
                type: 'apiKey',
                in: 'header',
                name: 'Authorization',
                description: 'AWS Signature Version 4 (service execute-api) with credentials allowed execute-api:Invoke on the route.',
                'x-amazon-apigateway-authtype': 'awsSigv4',
              },
            },
    },
  };
}
