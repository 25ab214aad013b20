/**
 * The local definition and the names it binds: the deployed definition with local function names. Light on
 * purpose (no step handlers, no model runtime, no sharp): the console imports it to draw the graph, the
 * local workflow (./workflow.ts) to run it.
 */
import type { Ruleset } from '../../functions/shared/contracts/index.js';
import { reviewTimeoutFromEnv, type ReviewTimeout } from '../../functions/shared/verdict-store/review-config.js';
import type { AslDefinition } from '../asl.js';
import { buildDefinition, DEFAULT_REVIEW } from '../definition.js';

/** Function names the local definition uses in place of Lambda ARNs. */
export const LOCAL_FUNCTIONS = {
  fetch: 'local-fetch-image',
  classify: 'local-classify',
  safety: 'local-check-safety',
  aggregate: 'local-aggregate',
  verdicts: 'local-verdicts',
} as const;

/** Stands in for the staging bucket in the local definition; the local Rekognition adapter reads the directory. */
export const LOCAL_STAGING_BUCKET = 'local-staging';

/**
 * The local definition: the deployed one with local function names, and the review queued rather than
 * waited for (the embedded engine has no task tokens): a review ends NeedsReview with its reviewId and
 * `npm run review` decides it in the store, or ends it at its deadline (REVIEW_TIMEOUT_SECONDS, the
 * stack's reviewTimeoutSeconds) with the timeout outcome.
 */
export function localDefinition(safetyEngine: 'local' | 'rekognition', ruleset: Ruleset, timeout: ReviewTimeout = reviewTimeoutFromEnv({})): AslDefinition {
  return buildDefinition({
    verdicts: { function: LOCAL_FUNCTIONS.verdicts, ruleset, review: { ...DEFAULT_REVIEW, ...timeout, mode: 'queue' } },
    fetchImageFunction: LOCAL_FUNCTIONS.fetch,
    classifyFunction: LOCAL_FUNCTIONS.classify,
    aggregateFunction: LOCAL_FUNCTIONS.aggregate,
    safety: safetyEngine === 'local' ? { engine: 'local', function: LOCAL_FUNCTIONS.safety } : { engine: 'rekognition' },
    stagingBucket: LOCAL_STAGING_BUCKET,
  });
}
