/**
 * The JSON each /api route answers: the server's side of the page's contract. The routes build these
 * shapes and the page (console/page/) imports them as types only, so a renamed field fails typecheck on
 * both sides instead of showing an empty cell.
 */
import { z } from 'zod';
import type { ReviewStatus, VerdictRecord } from '../../functions/shared/contracts/index.js';
import type { EvalReport } from '../../eval/report.js';
import type { ExecutionRecord, ExecutionSummary, StateOutcome, StateRun } from '../../workflows/local/execution-record.js';
import type { DecideOutcome, PublicReviewItem } from '../../functions/verdicts/decide.js';
import type { ExecutionGraph, GraphEdge, GraphNode, StateGraph } from './graph.js';
import type { TOKEN_HEADER } from './security.js';

export type { ExecutionGraph, ExecutionRecord, GraphEdge, GraphNode, PublicReviewItem, StateGraph, StateOutcome, StateRun, VerdictRecord };

/** The header every state-changing request carries the console's token in. */
export type TokenHeader = typeof TOKEN_HEADER;

/** Every error answer: the named error and a message that says what to do. */
export interface ApiError {
  error: string;
  message: string;
}

/** GET /api/info: where the data comes from (no secrets), shown in the page's header. */
export interface ConsoleInfo {
  mode: 'local' | 'deployed';
  dataDir?: string;
  stagingDir?: string;
  stateMachineArn?: string;
  stagingBucket?: string;
  /** `<kind> <location>` of the store decisions are recorded in. */
  reviewStore?: string;
}
export type InfoResponse = ConsoleInfo & { executions: 'local' | 'deployed' };

/** GET /api/reviews?status=&category= */
export interface ReviewsResponse {
  status: ReviewStatus;
  moderator: string;
  reviews: PublicReviewItem[];
}

/** POST /api/reviews/:id/approve | reject: the body, checked by the route with this schema. */
export const decideBody = z.object({ note: z.string().max(2000, 'a note is at most 2,000 characters').optional() }).strict();
export type DecideBody = z.infer<typeof decideBody>;
export interface DecideResponse {
  review: PublicReviewItem;
  verdict: VerdictRecord;
  changed: boolean;
  delivery: DecideOutcome['delivery'];
}

/** GET /api/verdicts?sha256= | postId= */
export interface VerdictsResponse {
  verdicts: VerdictRecord[];
}

export interface ExecutionListItem extends Partial<Omit<ExecutionSummary, 'status'>> {
  id: string;
  startedAt: string;
  /** A final state's name locally (Approved, NeedsReview, Rejected, FAILED); Step Functions' status when deployed. */
  status: string;
  /** Deployed executions open in the AWS console. */
  consoleUrl?: string;
}

/** GET /api/executions */
export interface ExecutionsResponse {
  kind: 'local' | 'deployed';
  executions: ExecutionListItem[];
}

/** GET /api/executions/:id: the record and its definition's graph, the edges the run took marked. */
export interface ExecutionResponse {
  record: ExecutionRecord;
  graph: ExecutionGraph;
}

/** GET /api/graph */
export type GraphResponse = StateGraph;

/** GET /api/eval: report.json as `npm run eval` wrote it (an older report may lack fields). */
export interface EvalResponse {
  path: string;
  report: Partial<EvalReport>;
}
