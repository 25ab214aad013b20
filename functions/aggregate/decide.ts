/**
 * The decision, pure: labels from both sources and the policy in, approve / review / reject with every
 * label and threshold that decided it out. Fail-closed: a recorded step error or missing safety data can
 * never approve.
 */
import type { ClassLabel, Decision, ModerationLabel, Reason, StepError } from '../shared/contracts/index.js';
import { REJECTING_ERRORS } from '../shared/errors.js';
import { categoryOf } from './moderation-taxonomy.js';
import { classifierEvidence } from './categories.js';
import type { Band, ModerationPolicy } from './policy.js';
import { SEVERITY } from './severity.js';

export interface DecideInput {
  classification?: readonly ClassLabel[];
  /** Undefined when the safety result is missing (never the same as "no labels"). */
  safety?: readonly ModerationLabel[];
  safetyEngine?: string;
  error?: StepError & { state?: string };
  /**
   * Several checked views (frames, pages, alpha on two pages): each is decided on its own evidence and
   * the worst stands; `classification` and `safety` are then ignored.
   */
  views?: ReadonlyArray<{ view: string; classification?: readonly ClassLabel[]; safety?: readonly ModerationLabel[] }>;
}

/** What the step error's Cause says: a Lambda error is a JSON string { errorType, errorMessage }; locally plain text. */
export function errorMessage(error: StepError): string {
  if (!error.Cause) return '';
  try {
    const c = JSON.parse(error.Cause) as { errorMessage?: string; message?: string };
    return c.errorMessage ?? c.message ?? error.Cause;
  } catch {
    return error.Cause;
  }
}

function bandDecision(confidence: number, band: Band): Decision {
  if (band.reject !== undefined && confidence >= band.reject) return 'reject';
  return confidence >= band.review ? 'review' : 'approve';
}

const fmt = (n: number) => Number(n.toFixed(1));

/**
 * Every view decided alone; the worst decision stands, with each flagging reason named by its view
 * ("frame 3 of 3: classifier: revolver 84%..."), the strongest per category and source.
 */
function decideViews(input: DecideInput & { views: NonNullable<DecideInput['views']> }, policy: ModerationPolicy): { decision: Decision; reasons: Reason[] } {
  let decision: Decision = 'approve';
  const strongest = new Map<string, Reason & { rank: number }>();
  for (const v of input.views) {
    const one = decide({ classification: v.classification, safety: v.safety, safetyEngine: input.safetyEngine }, policy);
    if (SEVERITY[one.decision] > SEVERITY[decision]) decision = one.decision;
    if (one.decision === 'approve') continue;
    for (const r of one.reasons) {
      // A view's reasons are reviews or rejects (a flagged view has no clean reason); rejects first.
      const rank = (r.code === 'category-reject' ? 2000 : 1000) + (r.confidence ?? 0);
      const key = `${r.code.replace(/-(review|reject)$/, '')}|${r.category ?? ''}|${r.source ?? ''}`;
      if ((strongest.get(key)?.rank ?? -1) < rank) strongest.set(key, { ...r, view: v.view, message: `${v.view}: ${r.message}`, rank });
    }
  }
  if (decision === 'approve') {
    return {
      decision,
      reasons: [{ code: 'clean', message: `No moderation category reached its review threshold in any of the ${input.views.length} checked views.` }],
    };
  }
  const reasons = [...strongest.values()].sort((a, b) => b.rank - a.rank).map(({ rank: _r, ...r }) => r);
  return { decision, reasons };
}

export function decide(input: DecideInput, policy: ModerationPolicy): { decision: Decision; reasons: Reason[] } {
  if (!input.error && input.views && input.views.length > 1) return decideViews({ ...input, views: input.views }, policy);
  const reasons: Array<Reason & { decision: Decision }> = [];

  if (input.error) {
    const name = input.error.Error;
    const rejecting = (REJECTING_ERRORS as readonly string[]).includes(name);
    const decision: Decision = rejecting ? 'reject' : 'review';
    const where = input.error.state ? ` in ${input.error.state}` : '';
    reasons.push({
      decision,
      code: 'step-failed',
      error: name,
      message: `${name}${where}: ${errorMessage(input.error).replace(/[.\s]+$/, '') || 'no details'}. ${rejecting ? 'The image itself is unacceptable.' : 'A person must check this image.'}`,
    });
  } else {
    if (!input.safety)
      reasons.push({ decision: 'review', code: 'safety-missing', message: 'No safety result reached the verdict; a person must check this image.' });
    if (!input.classification)
      reasons.push({
        decision: 'review',
        code: 'classification-missing',
        message: 'No classification reached the verdict; weapons, alcohol, drugs and gambling were not checked.',
      });
  }

  // Safety engine: the strongest label per category decides.
  const strongest = new Map<string, ModerationLabel>();
  for (const l of input.safety ?? []) {
    const key = categoryOf(l) ?? `unknown:${l.name}`;
    if ((strongest.get(key)?.confidence ?? -1) < l.confidence) strongest.set(key, l);
  }
  for (const [key, l] of strongest) {
    const category = categoryOf(l);
    const band = category ? policy.safety[category] : { review: policy.unknownLabelReview };
    const decision = bandDecision(l.confidence, band);
    if (decision === 'approve') continue;
    const threshold = decision === 'reject' ? band.reject! : band.review;
    reasons.push({
      decision,
      code: `category-${decision}`,
      category: category ?? key.slice('unknown:'.length),
      label: l.name,
      confidence: fmt(l.confidence),
      threshold,
      ...(input.safetyEngine === 'local' || input.safetyEngine === 'rekognition' ? { source: input.safetyEngine } : {}),
      message: `${input.safetyEngine ?? 'safety'} engine: ${l.name} at ${fmt(l.confidence)}% (${category ?? 'unknown category'}; ${decision} at ${threshold}%).`,
    });
  }

  // Classifier: ImageNet classes that are evidence in their own right.
  for (const e of classifierEvidence(input.classification ?? [])) {
    const band = policy.classifier[e.category];
    const decision = bandDecision(e.confidence, band);
    if (decision === 'approve') continue;
    const threshold = decision === 'reject' ? band.reject! : band.review;
    const classes = e.classes
      .filter((c, i) => i === 0 || c.score >= 0.005)
      .map((c) => `${c.label} ${fmt(c.score * 100)}%`)
      .join(', ');
    reasons.push({
      decision,
      code: `category-${decision}`,
      category: e.category,
      label: e.classes[0].label,
      confidence: e.confidence,
      threshold,
      source: 'classifier' as const,
      message: `classifier: ${classes} → ${e.category} at ${e.confidence}% (${decision} at ${threshold}%).`,
    });
  }

  const decision = reasons.reduce<Decision>((d, r) => (SEVERITY[r.decision] > SEVERITY[d] ? r.decision : d), 'approve');
  const out: Reason[] = reasons
    .sort((a, b) => SEVERITY[b.decision] - SEVERITY[a.decision] || (b.confidence ?? 101) - (a.confidence ?? 101))
    .map(({ decision: _d, ...r }) => r);
  if (decision === 'approve') out.push({ code: 'clean', message: 'No moderation category reached its review threshold.' });
  return { decision, reasons: out };
}
