/**
 * The contracts between the workflow's steps: one definition, used by the handlers, the ASL builder,
 * the local engine, the CLI and the publisher's client. See ../shared/DESIGN.md ("Contracts").
 *
 * State payloads stay small (Step Functions caps them at 256 KB): image bytes never travel in the
 * state, only a pointer to the staging store.
 */

/** What the publisher starts an execution with. */
export interface ModerationInput {
  /** https://, http://, s3://bucket/key, or (local mode only) a file path or file:// URL. */
  imageUrl: string;
  postId?: string;
  context?: { title?: string; keywords?: string[] };
}

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** A validated image in the staging store (S3 in AWS, a directory locally), addressed by content. */
export interface StagedImage {
  /** s3://bucket/key in AWS, file:///abs/path locally. */
  uri: string;
  bucket?: string;
  key: string;
  sha256: string;
  bytes: number;
  format: ImageFormat;
  width: number;
  height: number;
}

/** FetchImage: Lambda payload in = ModerationInput, out = FetchImageOutput. */
export interface FetchImageOutput {
  image: StagedImage;
}

/** One ImageNet class as the classifier reports it. */
export interface ClassLabel {
  /** Human-readable first name of the class ("tabby", "beer bottle"). */
  label: string;
  /** WordNet id of the class ("n02123045"). */
  wnid: string;
  /** Probability 0..1 (after softmax where the model emits logits). */
  score: number;
}

export interface ModelRef {
  name: string;
  sha256: string;
}

/** ClassifyImage and local CheckSafety: Lambda payload in. */
export interface AnalyzeInput {
  image: StagedImage;
}

/** ClassifyImage: Lambda payload out. */
export interface ClassifyOutput {
  /** Top 5, best first. */
  labels: ClassLabel[];
  model: ModelRef;
}

/** A moderation finding in Rekognition's taxonomy (v7), whatever engine produced it. */
export interface ModerationLabel {
  /** e.g. "Explicit", "Swimwear or Underwear", "Alcohol". */
  name: string;
  /** Top-level category for a granular label; "" for a top-level label (as Rekognition does). */
  parentName: string;
  /** 0..100, as Rekognition reports it. */
  confidence: number;
}

export type SafetyEngineName = 'rekognition' | 'local';

/** CheckSafety out, normalised. */
export interface SafetyOutput {
  engine: SafetyEngineName;
  labels: ModerationLabel[];
  /** The local engine names its model; Rekognition reports its model version. */
  model?: ModelRef | { name: string; version?: string };
}

/**
 * CheckSafety out when the rekognition engine runs as a direct SDK integration: the state machine cannot
 * reshape an array, so the raw DetectModerationLabels labels arrive and AggregateVerdict normalises them.
 */
export interface RekognitionModerationLabel {
  Name?: string;
  ParentName?: string;
  Confidence?: number;
  TaxonomyLevel?: number;
}
export interface RawRekognitionSafety {
  engine: 'rekognition';
  raw: RekognitionModerationLabel[];
  modelVersion?: string;
}

export type SafetyResult = SafetyOutput | RawRekognitionSafety;

/** The error a Catch records (ResultPath "$.error"): Step Functions' own shape. */
export interface StepError {
  Error: string;
  Cause?: string;
}

/**
 * AggregateVerdict: Lambda payload in. On the normal path classification and safety are both present;
 * on the fail-safe path (a Catch fired) `error` names what failed and the decision can never be approve.
 */
export interface AggregateInput {
  input: ModerationInput;
  image?: StagedImage;
  classification?: ClassifyOutput;
  safety?: SafetyResult;
  error?: StepError & { state?: string };
}

export type Decision = 'approve' | 'review' | 'reject';

/** Why a decision was taken: each label and threshold that decided it, or the error that forced it. */
export interface Reason {
  /** e.g. "category-reject", "category-review", "step-failed", "safety-missing", "clean". */
  code: string;
  /** Moderation category (top-level taxonomy name) when a label decided. */
  category?: string;
  /** The label (moderation label or ImageNet class) that crossed the threshold. */
  label?: string;
  confidence?: number;
  threshold?: number;
  /** Named error (e.g. "FetchBlocked") when a step failed. */
  error?: string;
  message: string;
}

/** AggregateVerdict: Lambda payload out, and the execution's output. */
export interface Verdict {
  decision: Decision;
  reasons: Reason[];
  seoTags: string[];
  altText: string;
  labels: ClassLabel[];
  moderation: ModerationLabel[];
  image?: StagedImage;
  model?: ModelRef;
  postId?: string;
}

/** Names of the states as the Step Functions console shows them. */
export const STATE_NAMES = {
  fetch: 'FetchImage',
  analyze: 'AnalyzeImage',
  classify: 'ClassifyImage',
  safety: 'CheckSafety',
  aggregate: 'AggregateVerdict',
  route: 'RouteDecision',
  approved: 'Approved',
  review: 'NeedsReview',
  rejected: 'Rejected',
} as const;
export type StateName = (typeof STATE_NAMES)[keyof typeof STATE_NAMES];
