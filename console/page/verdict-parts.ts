/** Pieces of a verdict several views show: a staged image's (or checked view's) thumbnail and one reason. */
import type { VerdictRecord } from '../server/api.js';
import type { StagedImage } from '../../functions/shared/contracts/index.js';
import { h } from './dom.js';
import { pct } from './format.js';
import { token } from './token.js';

type Verdict = VerdictRecord['verdict'];

export function thumb(image: Pick<StagedImage, 'sha256' | 'format'> | undefined, width = 320, alt = 'staged image'): HTMLElement {
  if (!image || !image.sha256 || !image.format) return h('div', { class: 'muted' }, 'no image');
  return h('img', {
    // An <img> sends no custom header: the image routes take the token in the query (no Referer leaves the page).
    src: `/api/images/${encodeURIComponent(image.sha256)}/${encodeURIComponent(image.format)}?w=${width}&token=${encodeURIComponent(token() ?? '')}`,
    alt,
    loading: 'lazy',
  });
}

export function reasonLine(r: Verdict['reasons'][number]): HTMLElement {
  const bits = [r.message];
  if (r.label && r.confidence !== undefined) bits.push(`(${r.label} ${pct(r.confidence)}${r.threshold !== undefined ? ` ≥ ${r.threshold}` : ''})`);
  return h('li', { 'data-code': r.code }, bits.join(' '));
}
