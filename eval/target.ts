/**
 * What `npm run eval` moderates the labelled photos with: the local workflow (eval/local-target.ts) or a
 * deployed stack (eval/stack-target.ts). Either answers each photo's verdict and, where it can know it,
 * what AggregateVerdict decided from (the sweep re-decides from that) and the quality measures.
 */
import type { QualityMeasures, Verdict } from '../functions/shared/contracts/index.js';
import type { DecideInput } from '../functions/aggregate/decide.js';
import type { LabelledImage } from './labels.js';
import type { EvalReport } from './report.js';

export interface EvalOutcome {
  verdict: Verdict;
  /** Undefined when it cannot be known exactly (eval/verdict-evidence.ts): the sweep leaves the photo out. */
  input?: DecideInput;
  measures?: QualityMeasures;
}

export interface EvalTarget {
  /** Named in the report: what moderated the photos. */
  target: EvalReport['target'];
  /** Filled as verdicts arrive (the classifier and safety model that answered). */
  models: EvalReport['models'];
  /**
   * Whether this process's MODERATION_POLICY is the one that decided (always locally; on a stack when its
   * ruleset's policy part matches): only then are photos re-decided with it (sweep, quality-only holds).
   */
  policyMatches: boolean;
  moderate(img: LabelledImage): Promise<EvalOutcome>;
  close(): Promise<void>;
}
