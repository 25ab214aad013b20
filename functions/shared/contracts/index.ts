/**
 * The contracts between the workflow's steps: one definition, used by the handlers, the ASL builder,
 * the local engine, the CLI and the publisher's client. Why they look as they do: docs/decisions.md
 * ("Contracts between steps").
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
  /** The post the image is for: every verdict then carries its relevance to it (computed from the labels, no model). */
  post?: PostInput;
  /** Moderate again even when the store holds a verdict for this image and ruleset. */
  reModerate?: boolean;
}

/** A blog post, as far as relevance reads it. */
export interface PostInput {
  title: string;
  keywords?: string[];
  /** Body text (its first few hundred words count, below the title). */
  text?: string;
}

export type RelevanceVia = 'name' | 'hypernym' | 'similar' | 'related' | 'definition' | 'gloss';

/** One post term supporting one classifier label. */
export interface RelevanceMatch {
  /** The post's words ("sailing ships"). */
  term: string;
  /** The classifier label it matched ("schooner"). */
  label: string;
  via: RelevanceVia;
  /** 0..1: how strongly the term supports this label, before the label's probability. */
  weight: number;
  /** In words: "'sailing ships' matches schooner (a schooner is a sailing vessel)". */
  why: string;
}

/** How relevant an image is to the post (functions/shared/relevance/). */
export interface Relevance {
  /** 0..1. */
  score: number;
  /** Best first, at most 5. */
  matches: RelevanceMatch[];
  /** Which scorer and index produced the score. */
  engine: string;
  /** The strongest matches in one sentence, or why nothing matched. */
  explanation: string;
}

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/**
 * One picture the analysis steps look at, staged beside the original: the original itself when every
 * engine reads it as it is (a still, opaque JPEG or PNG within Rekognition's limits), otherwise a JPEG
 * FetchImage made from it (functions/fetch-image/views.ts): one per checked frame or page, and for an
 * image whose transparency carries content one on a light and one on a dark page.
 */
export interface CheckedView {
  uri: string;
  bucket?: string;
  key: string;
  sha256: string;
  bytes: number;
  format: 'jpeg' | 'png';
  width: number;
  height: number;
  /** 1-based frame (or page) of the original this view shows, when the original has several. */
  frame?: number;
  /** The page background the transparency was flattened on, when it carries content. */
  background?: 'light' | 'dark';
}

/**
 * Perceptual hashes of a picture (functions/shared/perceptual-hash.ts): 64 bits each as 16 hex digits,
 * of the whole picture and of its centre. What near-duplicate memory compares.
 */
export interface PerceptualHashes {
  pHash: string;
  dHash: string;
  innerPHash: string;
  innerDHash: string;
}

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
  /** From FetchImage's one decode; absent on images staged before near-duplicate memory existed. */
  perceptualHashes?: PerceptualHashes;
  /** FetchImage's quality measures of the image (facts; the policy judges them in AggregateVerdict). */
  quality?: QualityMeasures;
  /** Frames (or pages) in the original, when more than one. */
  frames?: number;
  /**
   * What ClassifyImage and CheckSafety analyse, in frame order (FetchImage always sets it; a payload
   * without it means the image itself). The verdict is the worst view's.
   */
  checks?: CheckedView[];
}

// --- image quality (functions/shared/quality/ measures, functions/aggregate/quality-issues.ts judges) ---

export const QUALITY_KINDS = ['blur', 'exposure', 'contrast', 'noise', 'compression', 'resolution', 'too-small', 'uniform'] as const;
export type QualityKind = (typeof QUALITY_KINDS)[number];

/** Every quality measure of one image; scales and sources in functions/shared/quality/ and the README. */
export interface QualityMeasures {
  /** The original image's size (not the view's). */
  width: number;
  height: number;
  longSide: number;
  megapixels: number;
  /** False under 32 px on the shorter side: only the size fields are set, the pixel measures are null. */
  measurable: boolean;
  /** One colour: pixel measures but brightness and contrast are null. */
  uniform: boolean;
  /** 0..1, 1 sharp (1 - Crété-Roffet blur, sharpest quarter of the detailed 64-px tiles). */
  sharpness: number | null;
  /** 0..1 of white: mean luma, its 1st and 99th percentiles. */
  brightness: number | null;
  shadows: number | null;
  highlights: number | null;
  /** 0..1: share of pixels clipped black (luma <= 3) or white (a channel >= 252). */
  clippedShadows: number | null;
  clippedHighlights: number | null;
  /** RMS contrast (std of luma, 0..0.5) and highlights - shadows. */
  contrast: number | null;
  tonalRange: number | null;
  /** Immerkær sigma in 8-bit levels over the flattest blocks: luma, its half-resolution ratio, chroma. */
  noise: number | null;
  noiseScaleRatio: number | null;
  chromaNoise: number | null;
  /** Share of isolated pixels 48+ levels off all eight neighbours (salt-and-pepper), 0..1. */
  impulseNoise: number | null;
  /** IJG-equivalent save quality from the quantisation tables (JPEG only), and how well IJG's fit. */
  jpegQuality: number | null;
  jpegTableFit: number | null;
  /** Strongest 8x8-grid phase over the others (1 = no grid); null when the view was downscaled. */
  blockiness: number | null;
  /** The same on a view reduced 0.5-1x from a larger image (its resize blurs the grid); null otherwise. */
  reducedBlockiness: number | null;
}

export interface QualityIssue {
  kind: QualityKind;
  /** The measure that crossed its band. */
  measure: string;
  message: string;
  value: number;
  threshold: number;
}

/** verdict.quality: the measures, the issues the policy's bands found in them, a 0-100 score. */
export interface QualityAssessment {
  score: number;
  measures: QualityMeasures;
  issues: QualityIssue[];
}

/**
 * What the state machine adds to every Lambda payload so each log line can name its execution (the
 * correlation keys: execution name, post id, image sha256).
 */
export interface ExecutionRef {
  /** $$.Execution.Name: deterministic from postId + imageUrl (functions/shared/moderation-input.ts). */
  executionName?: string;
}

/** FetchImage: Lambda payload in. */
export interface FetchImageInput extends ExecutionRef {
  /** The execution input, as the publisher sent it (validated by FetchImage). */
  input: ModerationInput;
}

/** FetchImage: Lambda payload out. */
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
export interface AnalyzeInput extends ExecutionRef {
  image: StagedImage;
  /** The execution input (for the post id in logs). */
  input?: ModerationInput;
}

/** ClassifyImage: Lambda payload out. */
export interface ClassifyOutput {
  /** Top 5, best first (for several views: each class at its best view's score). */
  labels: ClassLabel[];
  model: ModelRef;
  /** Per checked view (StagedImage.checks, same order), when there are several. */
  views?: Array<{ labels: ClassLabel[] }>;
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
  /** Per checked view (StagedImage.checks, same order), when there are several; `labels` is then their union. */
  views?: Array<{ labels: ModerationLabel[] }>;
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
  /** One image's labels (a definition without views). */
  raw?: RekognitionModerationLabel[];
  modelVersion?: string;
  /** One DetectModerationLabels answer per checked view (the Map over StagedImage.checks), in order. */
  views?: Array<{ raw: RekognitionModerationLabel[]; modelVersion?: string }>;
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
export interface AggregateInput extends ExecutionRef {
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
  /**
   * Which evidence decided: the classifier, the safety engine by name (metrics count decisions by it), or
   * `quality` for an image held as unfit rather than unsafe, `relevance` for one held as off-topic for its
   * post (policy.relevance.holdBelow).
   */
  source?: 'classifier' | SafetyEngineName | 'quality' | 'relevance';
  /** For source `quality`: the issue kind. */
  kind?: QualityKind;
  /** Near-duplicate (code "near-duplicate"): the sha256 of the decided image, the pHash distance, who decided it. */
  of?: string;
  distance?: number;
  decidedBy?: string;
  /** The checked view that gave this reason ("frame 3 of 3", "on a dark page"), when there were several. */
  view?: string;
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
  /** Absent when no image was fetched (or on verdicts older than quality). */
  quality?: QualityAssessment;
  model?: ModelRef;
  postId?: string;
  /** `"policy"` (POLICY_DECIDER) or the moderator who decided. Absent on verdicts older than the store. */
  decidedBy?: string;
  /** ISO time of the decision (the moderator's, or when the policy verdict was recorded). */
  decidedAt?: string;
  /** The moderator's note, when one decided. */
  note?: string;
  /** The review item that holds (or held) this image for a person. */
  reviewId?: string;
  /** With a post in the input: how relevant the image is to it. */
  relevance?: Relevance;
}

// --- verdict + review store (functions/shared/verdict-store/) -------------------------------------------

/** `decidedBy` of a verdict nobody reviewed. Reserved: no moderator can be named this. */
export const POLICY_DECIDER = 'policy';

/**
 * What a verdict was computed with: classifier model, safety engine (and its model), policy. Part of a
 * record's key: when any of them changes the image is moderated again instead of answered from the store.
 */
export type Ruleset = string;

/** The verdict store's record: one per image (sha256) and ruleset. */
export interface VerdictRecord {
  sha256: string;
  ruleset: Ruleset;
  decision: Decision;
  /** POLICY_DECIDER or the moderator's name. */
  decidedBy: string;
  decidedAt: string;
  note?: string;
  reviewId?: string;
  /** The full verdict as the workflow returns it (reasons, labels, tags, alt text, image pointer). */
  verdict: Verdict;
  /**
   * The latest posts this verdict was used for (at most POSTS_KEPT, functions/shared/verdict-store/rules.ts),
   * oldest first. Every post is also linked on its own: findVerdicts({ postId }) finds all of them.
   */
  postIds: string[];
  updatedAt: string;
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected' | 'expired';
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'rejected', 'expired'];
export type ModeratorDecision = 'approve' | 'reject';

/** A post a review was requested for, and the image's relevance to it (scored from the verdict's labels). */
export interface ReviewPost {
  postId?: string;
  title: string;
  keywords?: string[];
  relevance: Relevance;
}

/** An image held for a person: what the moderator sees, and (STANDARD workflows) how to resume it. */
export interface ReviewItem {
  reviewId: string;
  sha256: string;
  ruleset: Ruleset;
  status: ReviewStatus;
  createdAt: string;
  /** When the waiting execution gives up (its TimeoutSeconds); the timeout outcome never approves. */
  deadline: string;
  imageUrl?: string;
  /** The latest posts waiting on this review (at most POSTS_KEPT), oldest first. */
  postIds: string[];
  /**
   * The latest posts (with a title) this review was requested for, oldest first, each with the image's
   * relevance to it as scored then; absent on items older than relevance. What the moderator reads the
   * image's fit for the post from.
   */
  posts?: ReviewPost[];
  /** The policy's review verdict: reasons, labels, moderation labels, tags, alt text, staged image. */
  verdict: Verdict;
  /**
   * How many executions wait on this opening of the review (STANDARD only; several when the same photo
   * was submitted twice before the first lookup could see it). Their task tokens are secrets and are not
   * part of the item: the store keeps them apart (VerdictStore.taskTokens), where the publisher's role
   * cannot read them.
   */
  waitingExecutions: number;
  /**
   * Which opening of the item this is: 0 when created, one more each time an expired review reopens
   * because the photo came back. Task tokens belong to one opening (the earlier ones' executions ended).
   * Absent on items written before openings were counted (0).
   */
  round?: number;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
  /** When the waiting execution gave up (status `expired`). */
  expiredAt?: string;
  /** When the decision reached every waiting execution (SendTaskSuccess); absent locally and in EXPRESS. */
  deliveredAt?: string;
}

/** A moderator's decision on one review item. */
export interface ReviewDecision {
  decision: ModeratorDecision;
  /** The moderator's name (never POLICY_DECIDER). */
  by: string;
  note?: string;
  /** ISO time. */
  at: string;
}

/** VerdictStep (functions/verdicts/): Lambda payloads in, one per action. */
export type VerdictStepInput =
  | { action: 'lookup'; ruleset: Ruleset; image: Pick<StagedImage, 'sha256'>; input: ModerationInput }
  | { action: 'record'; ruleset: Ruleset; verdict: Verdict; input: ModerationInput }
  | {
      action: 'requestReview';
      ruleset: Ruleset;
      verdict: Verdict;
      input: ModerationInput;
      /** Seconds until the review's deadline (the waiting task's TimeoutSeconds). */
      timeoutSeconds: number;
      /** `$$.Task.Token` of a STANDARD workflow's waiting task; absent when the review is only queued. */
      taskToken?: string;
    }
  | { action: 'expireReview'; ruleset: Ruleset; verdict: Verdict; input: ModerationInput; outcome: ReviewTimeoutOutcome; error?: StepError }
  /** The scheduled sweep (EXPRESS stacks): queued reviews past their deadline end with `outcome`. */
  | { action: 'expireDue'; outcome: ReviewTimeoutOutcome; limit?: number };

/** What one expiry sweep did (VerdictStep `expireDue`, `npm run review -- expire --json`). */
export interface ExpirySweep {
  /** The sweep's clock (ISO): items with a deadline at or before it were due. */
  now: string;
  /** Reviews this sweep ended, with the decision their image ended as (review or reject, never approve). */
  expired: Array<{ reviewId: string; deadline: string; decision: Verdict['decision']; postIds: string[] }>;
  /** Due items someone else changed first (a moderator's decision, or another sweep). */
  skipped: number;
  /** Due items an execution still waits on (STANDARD), left to its own ReviewExpired for an hour. */
  waiting: number;
  /** True when `limit` items were due: more may be waiting for the next sweep. */
  more: boolean;
}

/** The reason code of a verdict a review ended with at its deadline (first in `reasons`). */
export const REVIEW_EXPIRED_REASON = 'review-expired';

/** What a review nobody decided in time ends as: never approve. */
export type ReviewTimeoutOutcome = 'review' | 'reject';

/** VerdictStep lookup out: the Choice after it reads `found`. Every key always present (a state's paths must resolve). */
export type VerdictLookup = { found: true; verdict: Verdict; reason: null } | { found: false; verdict: null; reason: 'not-recorded' | 're-moderate' };
