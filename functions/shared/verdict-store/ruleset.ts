/**
 * The ruleset a verdict was computed with: classifier model, safety engine (and its model or minimum
 * confidence) and the policy. Part of every verdict record's key, so changing any of them moderates a
 * known photo again instead of answering from the store. Readable on purpose: it shows in the console.
 */
import { createHash } from 'node:crypto';
import type { ModelRef, Ruleset } from '../contracts/index.js';

export interface RulesetParts {
  classifier: ModelRef;
  safety: { engine: 'local'; model: ModelRef } | { engine: 'rekognition'; minConfidence: number };
  /** The effective policy (defaults merged): any JSON value; its hash is what counts. */
  policy: unknown;
}

/** JSON with sorted keys: the same policy written in another key order is the same ruleset. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const short = (sha256: string): string => sha256.slice(0, 12);

export function rulesetOf(p: RulesetParts): Ruleset {
  const safety = p.safety.engine === 'local' ? `${p.safety.model.name}@${short(p.safety.model.sha256)}` : `rekognition-min${p.safety.minConfidence}`;
  const policy = createHash('sha256').update(canonical(p.policy)).digest('hex');
  return `${p.classifier.name}@${short(p.classifier.sha256)}+${safety}+policy@${short(policy)}`;
}
