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

/** The ruleset's policy part: `policy@<12 hex>`, the same for the same effective policy. */
export function policyPart(policy: unknown): string {
  return `policy@${short(createHash('sha256').update(canonical(policy)).digest('hex'))}`;
}

export function rulesetOf(p: RulesetParts): Ruleset {
  const safety = p.safety.engine === 'local' ? `${p.safety.model.name}@${short(p.safety.model.sha256)}` : `rekognition-min${p.safety.minConfidence}`;
  return `${p.classifier.name}@${short(p.classifier.sha256)}+${safety}+${policyPart(p.policy)}`;
}

/** What a ruleset says about how its verdicts were made: the safety engine, and the policy part. */
export function parseRuleset(ruleset: Ruleset): { safetyEngine: 'local' | 'rekognition'; policy: string } | undefined {
  // The safety part may itself hold a '+' (a confirming model): classifier first, policy last, safety between.
  const m = /^[^+]+\+(.+)\+(policy@[0-9a-f]{12})$/.exec(ruleset);
  return m ? { safetyEngine: m[1].startsWith('rekognition-min') ? 'rekognition' : 'local', policy: m[2] } : undefined;
}
