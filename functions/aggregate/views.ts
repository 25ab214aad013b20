/**
 * Several checked views of one image (frames, pages, alpha on a light and a dark page): each view's
 * evidence as its own decision input, named for the reasons ("frame 3 of 3", "frame 2 of 5 on a dark
 * page"). Pure: AggregateVerdict and eval's sweep both read an AggregateInput through here.
 */
import { describeView, mergeClassLabels, mergeModerationLabels } from '../shared/checked-views.js';
import type { AggregateInput, ClassLabel, ModerationLabel, SafetyResult } from '../shared/contracts/index.js';
import { normalizeRekognitionLabels } from './moderation-taxonomy.js';

export interface ViewEvidence {
  view: string;
  classification?: readonly ClassLabel[];
  safety?: readonly ModerationLabel[];
}

/** One view's safety labels from any engine's answer; undefined when the answer is missing or malformed. */
export function safetyLabelsOf(safety: SafetyResult | undefined, index: number): ModerationLabel[] | undefined {
  if (!safety) return undefined;
  if (!('labels' in safety)) {
    // The direct Rekognition integration: DetectModerationLabels' raw answer, one per view.
    const raw = safety.views ? safety.views[index]?.raw : index === 0 ? safety.raw : undefined;
    return Array.isArray(raw) ? normalizeRekognitionLabels(raw) : undefined;
  }
  const labels = safety.views ? safety.views[index]?.labels : index === 0 ? safety.labels : undefined;
  return Array.isArray(labels) ? labels : undefined;
}

/** The evidence of every checked view, in StagedImage.checks order (one entry for an image without checks). */
export function viewEvidence(event: Pick<AggregateInput, 'image' | 'classification' | 'safety'>): ViewEvidence[] {
  const checks = event.image?.checks?.length ? event.image.checks : [{}];
  return checks.map((check, i) => ({
    view: describeView(check, event.image),
    ...(event.classification ? { classification: event.classification.views?.[i]?.labels ?? (i === 0 ? event.classification.labels : undefined) } : {}),
    ...(event.safety ? { safety: safetyLabelsOf(event.safety, i) } : {}),
  }));
}

export const mergedClassLabels = (views: readonly ViewEvidence[]): ClassLabel[] => mergeClassLabels(views.map((v) => v.classification ?? []));

export const mergedSafetyLabels = (views: readonly ViewEvidence[]): ModerationLabel[] => mergeModerationLabels(views.map((v) => v.safety ?? []));
