/** AggregateVerdict's pure core: both step results (or the caught error) → the Verdict. */
import type { AggregateInput, ModerationLabel, SafetyResult, Verdict } from '../shared/contracts/index.js';
import { normalizeRekognitionLabels } from '../shared/moderation.js';
import { altText, NEUTRAL_ALT_TEXT, REJECTED_ALT_TEXT } from './alt-text.js';
import { imagenetModerationLabels } from './categories.js';
import { decide } from './decide.js';
import type { ModerationPolicy } from './policy.js';
import { seoTags } from './tags.js';
import { withRelevance } from '../shared/relevance/verdict.js';

/** Raw DetectModerationLabels output (the direct SDK integration) or an engine's normalised labels. */
export function safetyLabels(safety: SafetyResult | undefined): ModerationLabel[] | undefined {
  if (!safety) return undefined;
  if ('raw' in safety) return normalizeRekognitionLabels(safety.raw);
  return Array.isArray(safety.labels) ? safety.labels : undefined;
}

export function buildVerdict(event: AggregateInput, policy: ModerationPolicy): Verdict {
  const labels = event.classification?.labels ?? [];
  const safety = safetyLabels(event.safety);
  const { decision, reasons } = decide(
    { classification: event.classification?.labels, safety, safetyEngine: event.safety?.engine, error: event.error },
    policy,
  );
  return withRelevance(
    {
      decision,
      reasons,
      seoTags: event.error ? [] : seoTags(labels),
      altText: decision === 'reject' ? REJECTED_ALT_TEXT : event.error ? NEUTRAL_ALT_TEXT : altText(labels),
      labels,
      moderation: [...(safety ?? []), ...imagenetModerationLabels(labels)],
      ...(event.image ? { image: event.image } : {}),
      ...(event.classification?.model ? { model: event.classification.model } : {}),
      ...(event.input?.postId ? { postId: event.input.postId } : {}),
    },
    event.input,
  );
}
