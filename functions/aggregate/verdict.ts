/** AggregateVerdict's pure core: both step results (or the caught error) → the Verdict. */
import type { AggregateInput, Decision, Verdict } from '../shared/contracts/index.js';
import { altText, NEUTRAL_ALT_TEXT, REJECTED_ALT_TEXT } from './alt-text.js';
import { imagenetModerationLabels } from './categories.js';
import { decide, type DecideInput } from './decide.js';
import { SEVERITY } from './severity.js';
import type { ModerationPolicy } from './policy.js';
import { judgeQuality, qualityReasons } from './quality-issues.js';
import { seoTags } from './tags.js';
import { withRelevance } from '../shared/relevance/verdict.js';
import { holdOffTopic } from './relevance-policy.js';
import { mergedClassLabels, mergedSafetyLabels, viewEvidence } from './views.js';

/** What decide() is given for this event: the one view's evidence, or every view's (eval's sweep re-decides from it). */
export function decideInputOf(event: AggregateInput): DecideInput {
  const views = viewEvidence(event);
  return {
    ...(views.length > 1 ? { views } : {}),
    ...(event.classification ? { classification: views.length > 1 ? mergedClassLabels(views) : views[0].classification } : {}),
    ...(event.safety ? { safety: views.length > 1 ? mergedSafetyLabels(views) : views[0].safety, safetyEngine: event.safety.engine } : {}),
    ...(event.error ? { error: event.error } : {}),
  };
}

export function buildVerdict(event: AggregateInput, policy: ModerationPolicy): Verdict {
  const input = decideInputOf(event);
  const labels = [...(input.classification ?? [])];
  const safe = decide(input, policy);
  // Quality is judged apart from safety and only ever adds: a quality reason holds (or, where the policy
  // allows, rejects) an image, it never approves one that safety held.
  const { quality: measures, ...image } = event.image ?? ({} as Partial<NonNullable<AggregateInput['image']>>);
  const quality = measures ? judgeQuality(measures, policy.quality) : undefined;
  const held = quality ? qualityReasons(quality, policy.quality) : [];
  const decision = held.reduce<Decision>((d, r) => (SEVERITY[r.decision] > SEVERITY[d] ? r.decision : d), safe.decision);
  const clean = safe.reasons.filter((r) => r.code === 'clean');
  const reasons = [...safe.reasons.filter((r) => r.code !== 'clean'), ...held.map(({ decision: _d, ...r }) => r), ...clean];
  const verdict = withRelevance(
    {
      decision,
      reasons,
      seoTags: event.error ? [] : seoTags(labels),
      altText: decision === 'reject' ? REJECTED_ALT_TEXT : event.error ? NEUTRAL_ALT_TEXT : altText(labels),
      labels,
      moderation: [...(input.safety ?? []), ...imagenetModerationLabels(labels)],
      ...(event.image ? { image: image as NonNullable<AggregateInput['image']> } : {}),
      ...(quality ? { quality } : {}),
      ...(event.classification?.model ? { model: event.classification.model } : {}),
      ...(event.input?.postId ? { postId: event.input.postId } : {}),
    },
    event.input,
  );
  return holdOffTopic(verdict, policy.relevance);
}
