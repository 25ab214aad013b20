/**
 * Every state's name, in one place: the definition builder names its states with these, and the steps'
 * telemetry, the verdict step's dispatch, the dashboard and the local engine read them back. Part of the
 * contracts (not of workflows/) because the Lambdas use them too and their image holds functions/ only.
 */

/** Names of the states as the Step Functions console shows them. */
export const STATE_NAMES = {
  fetch: 'FetchImage',
  analyze: 'AnalyzeImage',
  classify: 'ClassifyImage',
  safety: 'CheckSafety',
  aggregate: 'AggregateVerdict',
  route: 'RouteDecision',
  lookup: 'LookupVerdict',
  known: 'KnownImage',
  recorded: 'RecordedVerdict',
  record: 'RecordVerdict',
  routeRecorded: 'RouteRecorded',
  requestReview: 'RequestReview',
  reviewExpired: 'ReviewExpired',
  approved: 'Approved',
  review: 'NeedsReview',
  rejected: 'Rejected',
} as const;
export type StateName = (typeof STATE_NAMES)[keyof typeof STATE_NAMES];

/** States beyond the console's happy path, named so an execution's graph says what went wrong. */
export const FAIL_SAFE_STATE_NAMES = {
  fetchFailed: 'FetchImageFailed',
  lookupFailed: 'LookupVerdictFailed',
  recordFailed: 'RecordVerdictFailed',
  analyzeFailed: 'AnalyzeImageFailed',
  aggregateFailed: 'AggregateVerdictFailed',
  verdict: 'FailSafeVerdict',
  routeVerdict: 'RouteFailSafe',
  routeUnreviewed: 'RouteUnreviewed',
  routeFallback: 'RouteFallback',
  fallbackReview: 'FallbackReview',
  fallbackReject: 'FallbackReject',
} as const;
