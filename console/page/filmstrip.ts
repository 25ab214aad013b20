/**
 * Every view the checks looked at (each frame of an animation, each page of a TIFF, a transparent image
 * on a light and a dark page) as a row of thumbnails, each named as the reasons name it, the views a
 * reason came from marked with that reason. One view (a still image) shows no strip: the thumbnail is it.
 */
import type { VerdictRecord } from '../server/api.js';
import { describeView } from '../../functions/shared/checked-views.js';
import { h } from './dom.js';
import { thumb } from './verdict-parts.js';

type Verdict = VerdictRecord['verdict'];

export function filmstrip(image: Verdict['image'], reasons: Verdict['reasons'] | undefined): HTMLElement | null {
  const checks = image?.checks ?? [];
  if (checks.length <= 1) return null;
  return h(
    'div',
    { class: 'filmstrip' },
    h('strong', {}, `Checked views (${checks.length})`),
    h(
      'ol',
      { class: 'views' },
      ...checks.map((check) => {
        const label = describeView(check, image);
        // The reason's view is describeView's label of the view it came from (functions/aggregate/views.ts).
        const causes = (reasons ?? []).filter((r) => r.view === label && r.code !== 'clean');
        return h(
          'li',
          { class: causes.length ? 'view cause' : 'view', 'data-view': label, 'data-frame': check.frame, 'data-background': check.background },
          thumb(check, 160, label),
          h('span', { class: 'view-label' }, label),
          ...causes.map((r) => h('span', { class: 'pill review view-reason', 'data-code': r.code }, r.category ? `${r.code}: ${r.category}` : r.code)),
        );
      }),
    ),
  );
}
