/** How the CLI shows results: a readable block per image, NDJSON records, and the closing summary table. */
import path from 'node:path';
import { POLICY_DECIDER, type PostInput, type QualityAssessment, type Reason, type Verdict } from '../functions/shared/contracts/index.js';
import type { RankedImage } from '../functions/shared/relevance/rank.js';
import type { LocalExecution } from '../workflows/local/engine.js';
import { printable } from '../functions/shared/printable.js';

export interface ImageResult {
  /** What the user named: a path or a URL. */
  input: string;
  execution: LocalExecution;
}

export interface ImageFailure {
  input: string;
  error: { name: string; message: string };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Per-state milliseconds plus the whole execution as `total`. */
export function timingsOf(execution: LocalExecution): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [state, ms] of Object.entries(execution.timings)) out[state] = round(ms);
  out.total = round(execution.totalMs);
  return out;
}

/** One NDJSON record: stable keys, JSON-only values, no image bytes. */
export function toJsonRecord(r: ImageResult): Record<string, unknown> {
  const v: Verdict = r.execution.verdict;
  return {
    input: r.input,
    status: r.execution.status,
    decision: v.decision,
    // "policy", or the moderator whose decision the store answered with.
    decidedBy: v.decidedBy ?? POLICY_DECIDER,
    // Set while a review is pending (and kept once a moderator decided it).
    reviewId: v.reviewId ?? null,
    reasons: v.reasons,
    seoTags: v.seoTags,
    altText: v.altText,
    labels: v.labels,
    moderation: v.moderation,
    timings: timingsOf(r.execution),
    retries: r.execution.retries,
    model: v.model ?? null,
    image: v.image ?? null,
    quality: v.quality ?? null,
    // Only with --post (a verdict without a post has no relevance).
    ...(v.relevance ? { relevance: v.relevance } : {}),
  };
}

export function failureRecord(f: ImageFailure): Record<string, unknown> {
  return { input: f.input, status: 'Failed', error: f.error };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function formatReason(r: Reason): string {
  const head = [r.code, r.category, r.error, r.kind].filter(Boolean).join(' ');
  return printable(`${head}: ${r.message}`);
}

/** One line: score, the measures a reader weighs, and the issues' kinds. */
export function formatQuality(q: QualityAssessment): string {
  const m = q.measures;
  const parts = [`${q.score}/100`, `${m.width}x${m.height}`];
  const add = (name: string, v: number | null, digits = 2) => v !== null && parts.push(`${name} ${v.toFixed(digits)}`);
  add('sharpness', m.sharpness);
  add('brightness', m.brightness);
  add('contrast', m.contrast);
  add('noise', m.noise, 1);
  if (m.jpegQuality !== null) parts.push(`JPEG q${m.jpegQuality}`);
  add('blockiness', m.blockiness ?? m.reducedBlockiness);
  const kinds = [...new Set(q.issues.map((i) => i.kind))];
  return `${parts.join(' · ')}${kinds.length ? ` · issues: ${kinds.join(', ')}` : ''}`;
}

function shortName(input: string): string {
  return printable(/^[a-z0-9]+:\/\//i.test(input) ? input : path.basename(input));
}

export function formatText(r: ImageResult): string {
  const v = r.execution.verdict;
  const t = timingsOf(r.execution);
  const by = v.decidedBy && v.decidedBy !== POLICY_DECIDER ? `, decided by ${v.decidedBy}` : '';
  const lines = [`${shortName(r.input)}  →  ${v.decision.toUpperCase()} (${r.execution.status}${by})`];
  if (v.reviewId) lines.push(`  review:   ${v.reviewId}${v.decision === 'review' ? ` (pending: npm run review -- show ${v.reviewId})` : ''}`);
  lines.push(`  reasons:  ${v.reasons.length ? v.reasons.map(formatReason).join('\n            ') : '-'}`);
  lines.push(`  tags:     ${v.seoTags.length ? v.seoTags.join(', ') : '-'}`);
  lines.push(`  alt text: ${printable(v.altText || '-')}`);
  if (v.labels.length) lines.push(`  labels:   ${v.labels.map((l) => `${l.label} ${pct(l.score)}`).join(', ')}`);
  if (v.moderation.length) lines.push(`  safety:   ${v.moderation.map((m) => `${m.name} ${Math.round(m.confidence)}%`).join(', ')}`);
  if (v.relevance) lines.push(`  relevance: ${v.relevance.score.toFixed(2)}: ${printable(v.relevance.explanation)}`);
  if (v.quality) lines.push(`  quality:  ${formatQuality(v.quality)}`);
  const retried = Object.entries(r.execution.retries).map(([s, n]) => `${s} ×${n}`);
  if (retried.length) lines.push(`  retried:  ${retried.join(', ')}`);
  const { total, ...states } = t;
  lines.push(
    `  timings:  ${Object.entries(states)
      .map(([s, ms]) => `${s} ${ms} ms`)
      .join(' · ')} · total ${total} ms`,
  );
  return lines.join('\n');
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** The closing table for several images, then counts and throughput. */
export function formatSummary(results: ImageResult[], failures: ImageFailure[], wallMs: number): string {
  const rows = [
    ['image', 'decision', 'top label', 'reason', 'ms'],
    ...results.map((r) => {
      const v = r.execution.verdict;
      const top = v.labels[0];
      const why = v.reasons.find((x) => x.code !== 'clean') ?? v.reasons[0];
      return [
        truncate(shortName(r.input), 40),
        v.decision,
        top ? `${top.label} ${pct(top.score)}` : '-',
        truncate(why ? [why.code, why.category ?? why.error].filter(Boolean).join(' ') : '-', 36),
        String(Math.round(r.execution.totalMs)),
      ];
    }),
    ...failures.map((f) => [truncate(shortName(f.input), 40), 'FAILED', '-', truncate(f.error.name, 36), '-']),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row
      .map((c, i) => pad(c, widths[i]))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const count = (d: string) => results.filter((r) => r.execution.verdict.decision === d).length;
  const perSec = wallMs > 0 ? (results.length / (wallMs / 1000)).toFixed(1) : '-';
  lines.push(
    '',
    `${results.length + failures.length} images: ${count('approve')} approved, ${count('review')} to review, ${count('reject')} rejected` +
      `${failures.length ? `, ${failures.length} FAILED to process` : ''}; ${(wallMs / 1000).toFixed(1)} s, ${perSec} images/s`,
  );
  return lines.join('\n');
}

/** One ranked candidate for --json: its place, decision, relevance and why. */
export function rankRecord(r: RankedImage<Verdict>) {
  return { rank: r.rank, input: r.id, decision: r.verdict.decision, relevance: r.relevance, why: r.why, verdict: r.verdict };
}

/** The ranking for a post, best first, one line each and why. */
export function formatRanking(post: PostInput, ranked: RankedImage<Verdict>[]): string {
  // The post's words come from the command line and reach the terminal inside the explanations too.
  const lines = [printable(`Images for "${post.title}"${post.keywords?.length ? ` (${post.keywords.join(', ')})` : ''}, best first:`)];
  for (const r of ranked) lines.push(`  ${String(r.rank).padStart(2)}. ${shortName(r.id)}`, `      ${printable(r.why)}`);
  return lines.join('\n');
}
