/**
 * How decisions rank: the worst one among a verdict's views and holds stands. Its own file because
 * every part of the verdict compares decisions (decide.ts, verdict.ts, the policy sections), and the
 * policy sections must not import the decision rules they configure.
 */
import type { Decision } from '../shared/contracts/index.js';

export const SEVERITY: Record<Decision, number> = { approve: 0, review: 1, reject: 2 };
