/**
 * The HTTP API's own payloads (api/ locally, functions/api/ and infra/http-api.ts deployed), as zod
 * schemas: the routes parse with them and the OpenAPI document (api/openapi.ts) is generated from them,
 * so the document cannot drift from what the code accepts.
 */
import { z } from 'zod';
import { IMAGE_FORMATS } from './index.js';
import { sha256Schema } from './sha256.js';

/** The media types an image body may be sent as, one per accepted format. */
export const IMAGE_MEDIA_TYPES = IMAGE_FORMATS.map((f) => `image/${f}`) as readonly `image/${(typeof IMAGE_FORMATS)[number]}`[];

export const sha256PathSchema = sha256Schema.meta({ description: 'SHA-256 of the image bytes, 64 lowercase hex digits.' });

/** What every error answer carries: the named error (functions/shared/errors.ts) and what to do. */
export const apiErrorSchema = z.object({
  error: z.string().meta({ description: 'The error\u2019s name, e.g. InvalidInput, TokenRequired, VerdictNotFound.' }),
  message: z.string().meta({ description: 'What happened and what to do.' }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** POST /uploads: the media type the PUT will send (it is part of the signature). */
export const uploadRequestSchema = z
  .object({ contentType: z.enum(IMAGE_MEDIA_TYPES as unknown as [string, ...string[]]).meta({ description: 'Content-Type the PUT will send.' }) })
  .strict();
export type UploadRequest = z.infer<typeof uploadRequestSchema>;

/** POST /uploads answer: PUT the bytes to uploadUrl with these headers, then moderate imageUrl. */
export const uploadTicketSchema = z.object({
  uploadUrl: z.url().meta({ description: 'Presigned S3 URL: PUT the image bytes here before expiresAt.' }),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()).meta({ description: 'Headers the PUT must send exactly (they are signed).' }),
  imageUrl: z.string().startsWith('s3://').meta({ description: 'The s3:// URL to send as imageUrl to POST /moderations.' }),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int().meta({ description: 'FetchImage refuses larger images (ImageTooLarge).' }),
});
export type UploadTicket = z.infer<typeof uploadTicketSchema>;

/** Step Functions' execution statuses, as DescribeExecution names them (locally: SUCCEEDED or FAILED). */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** GET /moderations/{id}: where an execution is, and its verdict once it has one. */
export const moderationStatusSchema = z.object({
  id: z.string().meta({ description: 'The execution ARN (deployed) or the local execution id.' }),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.iso.datetime().optional(),
  stoppedAt: z.iso.datetime().optional(),
  verdict: z.record(z.string(), z.unknown()).optional().meta({ description: 'The Verdict (the execution\u2019s output), once SUCCEEDED.' }),
  error: z.string().optional().meta({ description: 'Step Functions\u2019 error name when the execution ended without a verdict.' }),
});
export type ModerationStatus = z.infer<typeof moderationStatusSchema>;

/** What a STANDARD stack's POST /moderations answers (202): Step Functions' StartExecution response, passed through. */
export const startedExecutionSchema = z.object({
  executionArn: z.string().meta({ description: 'GET /moderations/{executionArn} reads its status and verdict (also in Location).' }),
  startDate: z.number().meta({ description: 'Epoch seconds, as Step Functions answers.' }),
});

/** What an EXPRESS stack's POST /moderations answers (200): StartSyncExecution's response; `output` is the Verdict as a JSON string. */
export const syncExecutionSchema = z.object({
  executionArn: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT']),
  output: z.string().optional().meta({ description: 'The Verdict, JSON-encoded (parse it): present when status is SUCCEEDED.' }),
  error: z.string().optional(),
  cause: z.string().optional(),
  startDate: z.number(),
  stopDate: z.number(),
});
