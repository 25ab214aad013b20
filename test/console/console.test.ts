/**
 * The moderator console end to end: real photos through the real CLI (recorded executions), the real
 * SQLite review store, the real server on loopback, and Debian's Chromium driven by playwright-core.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { HOSTILE, useConsoleSession } from './fixtures.js';
import { hostNames } from '../../console/server/security.js';

describe('moderator console (real server, real store, Chromium)', function () {
  this.timeout(240_000);
  const session = useConsoleSession();
  const { open } = session;
  const origin = () => session.fx.console.origin;
  /** Polled from here: the page's CSP (no eval) rules out page.waitForFunction's string predicates. */
  const countOf = async (selector: string, n: number) => {
    for (const t0 = Date.now(); Date.now() - t0 < 20_000; await new Promise((r) => setTimeout(r, 50))) {
      if ((await session.page.locator(selector).count()) === n) return;
    }
    throw new Error(`expected ${n} × ${selector}, found ${await session.page.locator(selector).count()}`);
  };
  const pwned = () => session.page.evaluate('window.__pwned');

  describe('token and origin enforcement (real HTTP)', () => {
    const post = (path: string, headers: Record<string, string>, body = '{"note":"x"}') =>
      fetch(`${origin()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    it('answers 401 without the token and 403 with a wrong one, and decides nothing', async () => {
      const path = `/api/reviews/${session.fx.reviewIds.slot}/approve`;
      const missing = await post(path, {});
      expect(missing.status).to.equal(401);
      expect(((await missing.json()) as { error: string }).error).to.equal('TokenRequired');
      const wrong = await post(path, { 'X-Console-Token': `${session.fx.console.token.slice(0, -1)}x` });
      expect(wrong.status).to.equal(403);
      expect(((await wrong.json()) as { error: string }).error).to.equal('TokenRejected');
      expect((await session.fx.store.getReview(session.fx.reviewIds.slot))?.status).to.equal('pending');
    });

    it('refuses a cross-site form post (no custom header possible) and a foreign Host (DNS rebinding)', async () => {
      const form = await fetch(`${origin()}/api/reviews/${session.fx.reviewIds.slot}/reject`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
        body: 'note=x',
      });
      expect(form.status).to.equal(401);
      // fetch() will not send a forged Host; node:http will, as a rebinding attacker's browser effectively does.
      const rebinding = await new Promise<number>((resolve, reject) =>
        http.get(`${origin()}/api/reviews`, { headers: { host: 'evil.example' } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject),
      );
      expect(rebinding).to.equal(403);
      expect((await session.fx.store.getReview(session.fx.reviewIds.slot))?.status).to.equal('pending');
    });

    it('with the token, validates the body, names unknown reviews, and never sends task tokens to the page', async () => {
      const headers = { 'X-Console-Token': session.fx.console.token };
      const bad = await post(`/api/reviews/${session.fx.reviewIds.slot}/approve`, headers, '{"note": 5}');
      expect(bad.status).to.equal(400);
      const unknown = await post('/api/reviews/rv-00000000000000000000/approve', headers);
      expect(unknown.status).to.equal(404);
      const list = (await (await fetch(`${origin()}/api/reviews`, { headers })).json()) as { reviews: Array<{ reviewId: string; taskTokens?: unknown }> };
      expect(list.reviews.map((r) => r.reviewId)).to.have.members(Object.values(session.fx.reviewIds));
      expect(
        list.reviews.every((r) => r.taskTokens === undefined),
        'task tokens never leave the server',
      ).to.equal(true);
    });

    it('refuses every API read and image without the token, and a Host other than the bound names', async () => {
      const zebra = session.fx.byInput(HOSTILE.file).verdict!.image!;
      const image = `/api/images/${zebra.sha256}/${zebra.format}?w=64`;
      for (const path of ['/api/reviews', '/api/executions', '/api/info', '/api/graph', image]) {
        const res = await fetch(`${origin()}${path}`);
        expect(res.status, path).to.equal(401);
        expect(((await res.json()) as { error: string }).error, path).to.equal('TokenRequired');
        const wrong = await fetch(`${origin()}${path}`, { headers: { 'X-Console-Token': 'x' } });
        expect(wrong.status, path).to.equal(403);
        expect((await fetch(`${origin()}${path}`, { headers: { 'X-Console-Token': session.fx.console.token } })).status, path).to.equal(200);
      }
      expect((await fetch(`${origin()}/api/eval`)).status, 'even a missing report needs the token').to.equal(401);
      expect((await fetch(`${origin()}${image}&token=${encodeURIComponent(session.fx.console.token)}`)).status).to.equal(200);
      expect(
        (await fetch(`${origin()}/api/reviews?token=${encodeURIComponent(session.fx.console.token)}`)).status,
        'the query token is for images only',
      ).to.equal(401);
      expect(hostNames('0.0.0.0', 8080)).to.deep.equal(['0.0.0.0:8080']);
      expect(hostNames('127.0.0.1', 8080)).to.include.members(['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']);
    });

    it('serves the page with a CSP that forbids inline script, and no token inside it', async () => {
      const res = await fetch(`${origin()}/`);
      const html = await res.text();
      expect(res.headers.get('content-security-policy')).to.include("script-src 'self'").and.not.include('unsafe-inline');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      expect(html).not.to.include(session.fx.console.token);
    });
  });

  describe('in Chromium', () => {
    it('takes the token from the URL and drops it from the address bar', async () => {
      await open();
      expect(session.page.url()).not.to.include('token=');
      expect(await session.page.evaluate('sessionStorage.getItem("moderation-console-token")')).to.equal(session.fx.console.token);
    });

    it('shows hostile labels, post ids, alt text and file names as text, never as markup', async () => {
      await open('#/reviews');
      const card = session.page.locator(`article[data-review-id="${session.fx.reviewIds.hostile}"]`);
      await card.waitFor();
      const text = await card.innerText();
      expect(text).to.include(HOSTILE.postId).and.include(HOSTILE.label).and.include(HOSTILE.altText);
      expect(await session.page.locator('img[src="x"], script:not([src]), svg[onload]').count()).to.equal(0);
      await open('#/executions');
      await session.page.locator('#executions').waitFor();
      expect(await session.page.locator('#executions').innerText()).to.include(HOSTILE.file);
      await session.page.locator(`tr:has-text("${HOSTILE.file}")`).click();
      await session.page.locator('svg[aria-label="state machine"]').waitFor();
      expect(await session.page.locator('.kv .input').innerText()).to.include(HOSTILE.file);
      expect(await pwned()).to.equal(undefined);
      expect(session.pageErrors).to.deep.equal([]);
    });

    it('approves from the queue with a note: the store records who and why, and history shows it', async () => {
      await open('#/reviews');
      const card = session.page.locator(`article[data-review-id="${session.fx.reviewIds.beer}"]`);
      await card.waitFor();
      expect(await card.locator('.reasons').innerText()).to.match(/Alcohol|beer/i);
      // The thumbnail (re-encoded by sharp on request, lazily loaded) arrives on its own time on a loaded machine.
      const img = card.locator('img');
      let loaded = false;
      for (const t0 = Date.now(); !loaded && Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 100))) {
        loaded = await img.evaluate((i) => i.complete && i.naturalWidth > 0);
      }
      expect(loaded, 'thumbnail decoded').to.equal(true);
      await card.locator('textarea.note').fill('label on the bottle is a soft drink');
      await card.locator('button.approve').click();
      await session.page.locator(`article[data-review-id="${session.fx.reviewIds.beer}"]`).waitFor({ state: 'detached' });

      const item = await session.fx.store.getReview(session.fx.reviewIds.beer);
      expect(item).to.include({ status: 'approved', decidedBy: 'alice', note: 'label on the bottle is a soft drink' });
      const sha256 = session.fx.byInput('n02823428_beer_bottle.JPEG').verdict!.image!.sha256;
      const records = await session.fx.store.findVerdicts({ sha256 });
      expect(records.find((r) => r.reviewId === session.fx.reviewIds.beer)).to.include({
        decision: 'approve',
        decidedBy: 'alice',
        note: 'label on the bottle is a soft drink',
      });

      await open(`#/history/${sha256}`);
      await session.page.locator('#history-results table').waitFor();
      const row = await session.page.locator('#history-results tbody tr').first().innerText();
      expect(row).to.include('approve').and.include('alice').and.include('label on the bottle is a soft drink');
    });

    it('filters by category and decides with the keyboard (j/k to move, r to reject)', async () => {
      await open('#/reviews');
      await session.page.locator('#filter-category').selectOption('Violence');
      await countOf('article.card', 1);
      expect(await session.page.locator('article.card').getAttribute('data-review-id')).to.equal(session.fx.reviewIds.hostile);
      await session.page.locator('#filter-category').selectOption('');
      await countOf('article.card', 3);
      const ids = await session.page.locator('article.card').evaluateAll((els) => els.map((e) => e.dataset.reviewId as string));
      const target = ids.indexOf(session.fx.reviewIds.hostile);
      await session.page.locator('body').click({ position: { x: 2, y: 2 } });
      for (let i = 0; i < target; i++) await session.page.keyboard.press('j');
      await session.page.keyboard.press('r');
      await session.page.locator(`article[data-review-id="${session.fx.reviewIds.hostile}"]`).waitFor({ state: 'detached' });
      expect((await session.fx.store.getReview(session.fx.reviewIds.hostile))?.status).to.equal('rejected');
      await session.page.locator('#filter-status').selectOption('rejected');
      await session.page.locator(`article[data-review-id="${session.fx.reviewIds.hostile}"]`).waitFor();
      expect(await pwned()).to.equal(undefined);
    });

    it('opens a recorded execution: the graph is coloured by outcome and a click shows the state’s output', async () => {
      const beer = session.fx.byInput('n02823428_beer_bottle.JPEG');
      await open('#/executions');
      await session.page.locator(`tr[data-execution-id="${beer.id}"]`).click();
      await session.page.locator('svg[aria-label="state machine"]').waitFor();
      const outcome = (state: string) => session.page.locator(`g.node[data-state="${state}"]:not(.join)`).getAttribute('data-outcome');
      expect(await outcome('FetchImage')).to.equal('succeeded');
      expect(await outcome('ClassifyImage')).to.equal('succeeded');
      expect(await outcome('NeedsReview')).to.equal('succeeded');
      expect(await outcome('Approved')).to.equal('notrun');
      expect(await outcome('FetchImageFailed')).to.equal('notrun');
      const taken = (from: string, to: string) =>
        session.page.locator(`path.edge[data-from="${from}"][data-to="${to}"]`).evaluate((p) => p.classList.contains('taken'));
      expect(await taken('FetchImage', 'LookupVerdict')).to.equal(true);
      expect(await taken('FetchImage', 'FetchImageFailed')).to.equal(false);
      expect(await taken('AnalyzeImage#join', 'AggregateVerdict')).to.equal(true);
      await session.page.locator('g.node[data-state="ClassifyImage"]').click();
      expect(await session.page.locator('#state-detail h2').innerText()).to.equal('ClassifyImage');
      expect(await session.page.locator('#state-detail .state-output').innerText()).to.include('beer bottle');
      await session.page.locator('#state-detail button[data-tab="Input"]').click();
      expect(await session.page.locator('#state-detail .state-input').innerText()).to.include(beer.verdict!.image!.sha256);
    });

    it('shows a caught error on the state that failed and the fail-safe path it took', async () => {
      const bad = session.fx.byInput('not-an-image.jpg');
      expect(bad.status).to.equal('Rejected');
      await open(`#/executions/${bad.id}`);
      await session.page.locator('svg[aria-label="state machine"]').waitFor();
      expect(await session.page.locator('g.node[data-state="FetchImage"]').getAttribute('data-outcome')).to.equal('caught');
      expect(await session.page.locator('g.node[data-state="FailSafeVerdict"]').getAttribute('data-outcome')).to.equal('succeeded');
      expect(await session.page.locator('g.node[data-state="ClassifyImage"]').getAttribute('data-outcome')).to.equal('notrun');
      expect(await session.page.locator('path.edge.catch.taken[data-from="FetchImage"][data-to="FetchImageFailed"]').count()).to.equal(1);
      await session.page.locator('g.node[data-state="FetchImage"]').click();
      expect(await session.page.locator('#state-detail .state-error').innerText()).to.include('UnsupportedImageFormat');
    });

    it('answers a decision the other way with 409 ReviewConflict, leaving the first one recorded', async () => {
      const res = await fetch(`${origin()}/api/reviews/${session.fx.reviewIds.hostile}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Console-Token': session.fx.console.token },
        body: '{}',
      });
      expect(res.status).to.equal(409);
      expect(((await res.json()) as { error: string }).error).to.equal('ReviewConflict');
      expect((await session.fx.store.getReview(session.fx.reviewIds.hostile))?.status).to.equal('rejected');
    });

    it('says plainly when there is no eval report yet', async () => {
      await open('#/eval');
      expect(await session.page.locator('main').innerText()).to.match(/No eval report at .*npm run eval/);
    });
  });

  describe('deadlines (real store)', () => {
    it('the queue never shows a local review past its deadline: listing ends it with the timeout outcome first; the expired item can still be decided from the page', async () => {
      const zebra = session.fx.byInput(HOSTILE.file);
      const sha256 = createHash('sha256').update('a photo nobody reviewed in time').digest('hex');
      const { item } = await session.fx.store.requestReview({
        sha256,
        ruleset: 'console-deadline-test',
        verdict: { ...zebra.verdict!, decision: 'review', image: { ...zebra.verdict!.image!, sha256 } },
        postId: 'post-late',
        at: new Date(Date.now() - 90_000_000).toISOString(),
        deadline: new Date(Date.now() - 1000).toISOString(),
      });
      const headers = { 'X-Console-Token': session.fx.console.token };
      const list = async (status: string) =>
        ((await (await fetch(`${origin()}/api/reviews?status=${status}`, { headers })).json()) as { reviews: Array<{ reviewId: string }> }).reviews.map(
          (r) => r.reviewId,
        );
      // A read never writes: the item is still pending until the page's POST ends it.
      expect(await list('pending')).to.include(item.reviewId);
      const swept = await fetch(`${origin()}/api/reviews/expire-due`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(((await swept.json()) as { expired: number }).expired).to.equal(1);
      expect(await list('pending')).not.to.include(item.reviewId);
      expect(await list('expired')).to.include(item.reviewId);
      const record = await session.fx.store.getVerdict(item.sha256, item.ruleset);
      expect(record).to.include({ decision: 'review', decidedBy: 'policy', reviewId: item.reviewId });
      expect(record!.verdict.reasons[0].code).to.equal('review-expired');

      // The page says so, and a moderator can still decide it: the decision replaces the timeout verdict.
      await open('#/reviews');
      await session.page.locator('#filter-status').selectOption('expired');
      const card = session.page.locator(`article[data-review-id="${item.reviewId}"]`);
      await card.waitFor();
      expect(await card.locator('.expired-note').innerText()).to.match(/^Expired .*not approved/);
      await card.locator('button.approve').click();
      await card.waitFor({ state: 'detached' });
      expect(await session.fx.store.getReview(item.reviewId)).to.include({ status: 'approved', decidedBy: 'alice' });
      expect(await session.fx.store.getVerdict(item.sha256, item.ruleset)).to.include({ decision: 'approve', decidedBy: 'alice' });
      expect(await pwned()).to.equal(undefined);
    });
  });
});
