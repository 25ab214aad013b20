/**
 * Relevance measures for `npm run eval` (and the calibration script): AUC of the scores of relevant
 * against irrelevant rows, and pick@1, the share of posts whose relevant photo scores highest among
 * that post's rows (a tie with an irrelevant photo is not a pick). Pure functions of the scored rows.
 */
export interface RelevanceCase {
  file: string;
  post: string;
  relevant: boolean;
  score: number;
  /** Optional grouping column of the labels file (e.g. subject | category | implied). */
  style?: string;
}

/** Probability that a random relevant row outscores a random irrelevant one (ties count half). */
export function auc(cases: readonly RelevanceCase[]): number | undefined {
  const pos = cases.filter((c) => c.relevant).map((c) => c.score);
  const neg = cases.filter((c) => !c.relevant).map((c) => c.score);
  if (!pos.length || !neg.length) return undefined;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

export interface PickResult {
  post: string;
  style?: string;
  picked: string;
  relevant: string[];
  hit: boolean;
}

/** Per post: the highest-scoring row, and whether it is a relevant one (strictly above every irrelevant row). */
export function picks(cases: readonly RelevanceCase[]): PickResult[] {
  const byPost = new Map<string, RelevanceCase[]>();
  for (const c of cases) (byPost.get(c.post) ?? byPost.set(c.post, []).get(c.post)!).push(c);
  const out: PickResult[] = [];
  for (const [post, rows] of byPost) {
    const relevant = rows.filter((r) => r.relevant);
    if (!relevant.length || relevant.length === rows.length) continue;
    const bestRelevant = Math.max(...relevant.map((r) => r.score));
    const bestOther = Math.max(...rows.filter((r) => !r.relevant).map((r) => r.score));
    const picked = [...rows].sort((a, b) => b.score - a.score || Number(a.relevant) - Number(b.relevant))[0];
    out.push({ post, style: rows[0].style, picked: picked.file, relevant: relevant.map((r) => r.file), hit: bestRelevant > bestOther });
  }
  return out;
}

export interface RelevanceSummary {
  rows: number;
  posts: number;
  auc?: number;
  pickAt1?: number;
  /** pick@1 and AUC per style, when the labels file has a style column. */
  byStyle: Record<string, { posts: number; pickAt1: number; auc?: number }>;
}

export function summariseRelevance(cases: readonly RelevanceCase[]): RelevanceSummary {
  const all = picks(cases);
  const byStyle: RelevanceSummary['byStyle'] = {};
  for (const style of [...new Set(cases.map((c) => c.style).filter((s): s is string => Boolean(s)))]) {
    const p = all.filter((x) => x.style === style);
    byStyle[style] = { posts: p.length, pickAt1: p.filter((x) => x.hit).length / Math.max(1, p.length), auc: auc(cases.filter((c) => c.style === style)) };
  }
  return { rows: cases.length, posts: all.length, auc: auc(cases), pickAt1: all.length ? all.filter((x) => x.hit).length / all.length : undefined, byStyle };
}
