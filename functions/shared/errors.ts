/**
 * Every named error of the product, in one module. The class name is the error's `name`, which is what
 * Step Functions' Retry and Catch match (Lambda reports it as `errorType`, the local engine reads
 * `Error.name`). Messages say what happened and what to do.
 *
 * All of these are permanent: retrying the same input gives the same answer, so the state machine
 * never retries them. Transient failures are AWS's own (Lambda.ServiceException, ...).
 */

export abstract class ModerationError extends Error {
  /** Extra, log-safe facts (never secrets, never image bytes). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

// --- input and configuration -------------------------------------------------------------------
/** The execution input or a step's payload does not match its contract. */
export class InvalidInput extends ModerationError {}
/** An environment variable, CLI flag or Pulumi config value is missing or invalid. */
export class ConfigError extends ModerationError {}
/** A state machine definition fails asl-validator or our rules (workflows/validate.ts): a start-up fault, never deployed or run. */
export class InvalidDefinition extends ConfigError {}

// --- fetching ----------------------------------------------------------------------------------
/** The URL's scheme or resolved address is not allowed (private, loopback, link-local, metadata...). */
export class FetchBlocked extends ModerationError {}
/** The image could not be fetched: DNS failure, refused connection, HTTP error status, too many redirects. */
export class FetchFailed extends ModerationError {}
/** The server did not answer (or finish the body) within the fetch timeout. */
export class FetchTimeout extends ModerationError {}

// --- image validation --------------------------------------------------------------------------
/** Zero bytes. */
export class EmptyImage extends ModerationError {}
/** More bytes than the configured cap. */
export class ImageTooLarge extends ModerationError {}
/** Declared dimensions exceed the pixel cap: a decompression bomb. */
export class PixelLimitExceeded extends ModerationError {}
/** Not one of the accepted raster formats (SVG, HTML, PDF, text, unknown magic bytes). */
export class UnsupportedImageFormat extends ModerationError {}
/** The bytes claim an image format but do not decode: corrupt or truncated. */
export class CorruptImage extends ModerationError {}
/** Width and height so unequal (an 8 x 5,000,000 strip) that no engine can look at it as a picture. */
export class ExtremeAspectRatio extends ModerationError {}

// --- models --------------------------------------------------------------------------------------
/** A model file does not match the sha256 pinned in its manifest. Nothing corrupt is kept. */
export class ModelIntegrityError extends ModerationError {}
/** No source could provide the model (not cached, not in the mirror, download impossible). */
export class ModelNotFoundError extends ModerationError {}
/** The model loaded but its inputs/outputs do not match its manifest. */
export class ModelContractError extends ModerationError {}

// --- staging and safety --------------------------------------------------------------------------
/** The staged image pointer does not resolve to the bytes it names. */
export class StagedImageMissing extends ModerationError {}
/** The safety engine could not give an answer; the verdict is forced to review. */
export class SafetyCheckFailed extends ModerationError {}

// --- verdict + review store ----------------------------------------------------------------------
/** The verdict store cannot be opened or used (unwritable directory, Node without node:sqlite, no table). */
export class VerdictStoreUnavailable extends ModerationError {}
/**
 * A workflow step could not read or write the verdict store (throttled past the SDK's retries, an item
 * DynamoDB refuses, a locked or damaged SQLite file). The image goes to review: answering it with a
 * fresh policy verdict could replace a moderator's recorded decision.
 */
export class VerdictStoreFailed extends ModerationError {}
/** No review item has this id. */
export class ReviewNotFound extends ModerationError {}
/** The review was already decided the other way (approve after reject, or reject after approve). */
export class ReviewConflict extends ModerationError {}
/**
 * Step Functions refused the review's task token: the waiting execution timed out, was stopped, or the
 * token was already used. The decision is recorded in the store; the execution ended without it.
 */
export class StaleReviewToken extends ModerationError {}

// --- the publisher's client (never raised inside the workflow) ------------------------------------
/** The execution ended FAILED, TIMED_OUT or ABORTED: no verdict (the fail-safe path makes this rare). */
export class ModerationExecutionFailed extends ModerationError {}
/** No verdict before the caller's deadline; the execution may still finish (see its ARN). */
export class VerdictTimeout extends ModerationError {}
/** An execution with this request's name exists for a different image or post. */
export class ExecutionConflict extends ModerationError {}

// --- the HTTP API (api/, functions/api/; never raised inside the workflow) --------------------------
/** No moderation (execution) with this id, or not one of this stack's state machine. */
export class ModerationNotFound extends ModerationError {}
/** No verdict is recorded for this image under the API's ruleset. */
export class VerdictNotFound extends ModerationError {}
/** A request body of a media type the route does not take (an image route given text, say). */
export class UnsupportedMediaType extends ModerationError {}

/**
 * Every error a step can raise, by class: the state machine never retries them (PERMANENT_ERRORS is
 * derived from this, so a new class added here is covered by Retry and Catch at once). Every other
 * class goes in OUTSIDE_WORKFLOW_ERRORS; test/errors.test.ts checks that each class is in exactly one.
 */
const STEP_ERRORS = {
  InvalidInput,
  ConfigError,
  FetchBlocked,
  FetchFailed,
  FetchTimeout,
  EmptyImage,
  ImageTooLarge,
  PixelLimitExceeded,
  UnsupportedImageFormat,
  CorruptImage,
  ExtremeAspectRatio,
  ModelIntegrityError,
  ModelNotFoundError,
  ModelContractError,
  StagedImageMissing,
  SafetyCheckFailed,
  VerdictStoreFailed,
} satisfies Record<string, new (message: string) => ModerationError>;

/** Raised only outside the state machine (the publisher's client, the review tools and store): never a step's errorType. */
export const OUTSIDE_WORKFLOW_ERRORS = {
  InvalidDefinition,
  VerdictStoreUnavailable,
  ReviewNotFound,
  ReviewConflict,
  StaleReviewToken,
  ModerationExecutionFailed,
  VerdictTimeout,
  ExecutionConflict,
  ModerationNotFound,
  VerdictNotFound,
  UnsupportedMediaType,
} satisfies Record<string, new (message: string) => ModerationError>;

export type PermanentErrorName = keyof typeof STEP_ERRORS;

/** Names the state machine treats as permanent: caught, never retried. */
export const PERMANENT_ERRORS: readonly PermanentErrorName[] = Object.keys(STEP_ERRORS) as PermanentErrorName[];

/** Errors that reject outright (the image itself is unacceptable); other failures go to review. */
export const REJECTING_ERRORS: readonly PermanentErrorName[] = [
  'FetchBlocked',
  'EmptyImage',
  'ImageTooLarge',
  'PixelLimitExceeded',
  'UnsupportedImageFormat',
  'CorruptImage',
  'ExtremeAspectRatio',
];

/** AWS's recommended transient Lambda errors (docs/decisions.md, "Retries"): retried with backoff and jitter. */
export const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * Rekognition's throttling and server-side faults as Step Functions names them (`Rekognition.` + the SDK
 * error name), for the direct SDK integration's Retry; the local stand-in names its errors the same way.
 */
export const TRANSIENT_REKOGNITION_ERRORS = [
  'Rekognition.ThrottlingException',
  'Rekognition.ProvisionedThroughputExceededException',
  'Rekognition.InternalServerError',
] as const;

/** A plain, serialisable view of any thrown value, for logs and the CLI. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message };
  return { name: 'Error', message: String(err) };
}
