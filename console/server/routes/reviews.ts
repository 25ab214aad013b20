import { Hono } from 'hono';
import { REVIEW_STATUSES, type ModeratorDecision, type ReviewStatus } from '../../../functions/shared/contracts/index.js';
import { checkSha256 } from '../../../functions/shared/verdict-store/rules.js';
import { decideBody, type DecideResponse, type ReviewsResponse, type VerdictsResponse } from '../api.js';
import type { ReviewActions } from '../reviews.js';

/** The store's own errors, as HTTP answers: the page shows the message, which says what to do. */
const STATUS_BY_ERROR: Record<string, 400 | 404 | 409 | 410 | 503> = {
  InvalidInput: 400,
  ReviewNotFound: 404,
  ReviewConflict: 409,
  StaleReviewToken: 410,
  VerdictStoreUnavailable: 503,
};

export function reviewRoutes(reviews: ReviewActions, moderator: string): Hono {
  const r = new Hono();
  r.onError((err, c) => {
    const status = STATUS_BY_ERROR[err.name];
    if (!status) throw err;
    return c.json({ error: err.name, message: err.message }, status);
  });

  r.get('/reviews', async (c) => {
    const status = (c.req.query('status') ?? 'pending') as ReviewStatus;
    if (!REVIEW_STATUSES.includes(status)) return c.json({ error: 'InvalidInput', message: `status must be one of ${REVIEW_STATUSES.join(', ')}.` }, 400);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 500) || 500, 1), 1000);
    const category = c.req.query('category');
    let items = await reviews.list(status, limit);
    if (category) items = items.filter((i) => i.verdict.reasons.some((x) => x.category === category));
    return c.json({ status, moderator, reviews: items } satisfies ReviewsResponse);
  });

  r.post('/reviews/expire-due', async (c) => c.json({ expired: await reviews.expireDue() }));

  for (const decision of ['approve', 'reject'] as const satisfies readonly ModeratorDecision[]) {
    r.post(`/reviews/:id/${decision}`, async (c) => {
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
        return c.json({ error: 'InvalidInput', message: 'Send the body as application/json: { "note": "..." }.' }, 415);
      }
      const parsed = decideBody.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success)
        return c.json({ error: 'InvalidInput', message: `Body must be { "note"?: string }: ${parsed.error.issues.map((i) => i.message).join('; ')}.` }, 400);
      const { item, record, changed, delivery } = await reviews.decide({ reviewId: c.req.param('id'), decision, by: moderator, note: parsed.data.note });
      return c.json({ review: item, verdict: record, changed, delivery } satisfies DecideResponse);
    });
  }

  r.get('/verdicts', async (c) => {
    const sha256 = c.req.query('sha256');
    const postId = c.req.query('postId');
    if (!sha256 === !postId) return c.json({ error: 'InvalidInput', message: 'Search with exactly one of ?sha256=<64 hex digits> or ?postId=<post id>.' }, 400);
    const verdicts = await reviews.history(sha256 ? { sha256: checkSha256(sha256) } : { postId: postId! });
    return c.json({ verdicts } satisfies VerdictsResponse);
  });
  return r;
}
