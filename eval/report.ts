/**
 * report.json as `npm run eval` writes it: types only, so the console's page can type the report it
 * draws without pulling the eval run's code into its type check.
 */
import type { DecideInput } from '../functions/aggregate/decide.js';
import type { policyFromEnv } from '../functions/aggregate/policy.js';
import type { RelevanceCase, RelevanceSummary } from './relevance.js';
import type { QualityCase, QualitySummary, QualitySweepCurve } from './quality-score.js';
import type { EvalSummary } from './score.js';
import type { SweepCurve } from './sweep.js';

/** What moderated the photos: the local workflow, or a deployed stack's state machine. */
export type EvalTargetInfo =
  | { kind: 'local'; safetyEngine: 'local' | 'rekognition' }
  | {
      kind: 'stack';
      stateMachineArn: string;
      workflowType: 'STANDARD' | 'EXPRESS';
      /** How the photos reached it: the stack's POST /uploads, or a --base-url the user serves them from. */
      staging: 'uploads' | 'base-url';
      stack?: string;
      region?: string;
      ruleset?: string;
      safetyEngine?: 'local' | 'rekognition';
    };

export interface EvalReport extends EvalSummary {
  labels: string;
  target: EvalTargetInfo;
  /**
   * Photos the sweep could not re-decide: their decision input is unknown (on a stack: several checked
   * views, a failed step, or a policy other than this process's MODERATION_POLICY; eval/verdict-evidence.ts).
   */
  sweepLeftOut: number;
  policy: ReturnType<typeof policyFromEnv>;
  models: { classifier?: unknown; safety?: unknown };
  failures: Array<{ file: string; error: { name: string; message: string } }>;
  sweep: SweepCurve[];
  /** Fitness for the post, apart from safety: the figures above count safety holds only. */
  quality: QualitySummary;
  qualitySweep: QualitySweepCurve[];
  /** Every photo with its decision and what AggregateVerdict decided from, so a policy can be re-tried offline. */
  cases: Array<{
    file: string;
    expected: string;
    category?: string;
    quality?: string;
    decision: string;
    input?: DecideInput;
    qualityMeasures?: QualityCase['measures'];
  }>;
  /** With post/relevant columns: AUC, pick@1 (overall and per style) and every row's score. */
  relevance?: RelevanceSummary & { cases: RelevanceCase[] };
  timing: { wallMs: number; msPerImage: number };
  files: { report: string; svg: string; html: string };
}
