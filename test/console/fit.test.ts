/**
 * Fit for the post in the console: each review item's and execution's image quality (score, issues in
 * words, measures) and the post with the image's relevance to it. Real photos through the real CLI with
 * --post (recorded executions, the real SQLite store), the real server on loopback, Debian's Chromium.
 */
import { expect } from 'chai';
import type { Locator } from 'playwright-core';
import { HOSTILE, POST, useConsoleSession } from './fixtures.js';

describe('console: quality and relevance (real CLI runs, store, server, Chromium)', function () {
  this.timeout(240_000);
  const session = useConsoleSession();
  const { open } = session;
  /** The page's text of one measure's cell, e.g. "highlights 0.529". */
  const measure = (scope: Locator, name: string) => scope.locator(`.measures [data-measure="${name}"]`).innerText();

  it('shows a quality hold on its review card: the score, the issue in words, the measure past its band marked', async () => {
    const item = (await session.fx.store.getReview(session.fx.reviewIds.otter))!;
    const q = item.verdict.quality!;
    expect(
      q.issues.map((i) => i.kind),
      'the otter photo is held for exposure',
    ).to.include('exposure');
    await open('#/reviews');
    const card = session.page.locator(`article[data-review-id="${session.fx.reviewIds.otter}"] .quality`);
    await card.waitFor();
    expect(await card.getAttribute('data-score')).to.equal(String(q.score));
    expect(await card.locator('.quality-score').innerText()).to.equal(`${q.score}/100`);
    const issues = await card.locator('.quality-issues li').allInnerTexts();
    expect(issues).to.have.length(q.issues.length);
    for (const [i, issue] of q.issues.entries()) expect(issues[i]).to.include(issue.kind).and.include(issue.message);
    for (const issue of q.issues) {
      const cell = card.locator(`.measures [data-measure="${issue.measure}"]`);
      expect(await cell.getAttribute('class'), issue.measure).to.include('flagged');
    }
    expect(await measure(card, 'highlights')).to.equal(`highlights ${Number(q.measures.highlights!.toPrecision(3))}`);
    expect(await measure(card, 'width')).to.equal(`width ${q.measures.width}`);
    // Every measure the verdict carries has a cell (a measure added later still shows, under "other").
    const shown = await card.locator('.measures [data-measure]').evaluateAll((els) => els.map((e) => e.getAttribute('data-measure')));
    const expected = Object.keys(q.measures).filter((k) => k !== 'measurable' && k !== 'uniform');
    expect(shown).to.have.members(expected);
  });

  it('shows an image with no quality issue as such, its measures unmarked', async () => {
    const item = (await session.fx.store.getReview(session.fx.reviewIds.beer))!;
    const q = item.verdict.quality!;
    expect(q.issues, 'the beer photo is held for alcohol only').to.deep.equal([]);
    await open('#/reviews');
    const card = session.page.locator(`article[data-review-id="${session.fx.reviewIds.beer}"] .quality`);
    await card.waitFor();
    expect(await card.locator('.quality-issues').innerText()).to.match(/no quality issue/);
    expect(await card.locator('.measures .flagged').count()).to.equal(0);
    expect(await measure(card, 'sharpness')).to.equal(`sharpness ${Number(q.measures.sharpness!.toPrecision(3))}`);
  });

  it('shows an execution’s post, its keywords as text, and the relevance explanation and score it recorded', async () => {
    const beer = session.fx.byInput('n02823428_beer_bottle.JPEG');
    const relevance = beer.verdict!.relevance!;
    expect(beer.input.post).to.deep.equal(session.fx.post);
    expect(session.fx.post.keywords).to.include(HOSTILE.keyword);
    expect(relevance.score, 'a beer bottle for a beer post').to.be.greaterThan(0.2);
    await open(`#/executions/${beer.id}`);
    const post = session.page.locator('.exec .post');
    await post.waitFor();
    expect(await post.locator('.post-title').innerText()).to.equal(POST.title);
    expect(await post.locator('.post-keywords span').allInnerTexts()).to.deep.equal(session.fx.post.keywords);
    expect(await post.locator('.relevance-score').innerText()).to.equal(`relevance ${relevance.score.toFixed(2)}`);
    expect(await post.locator('.relevance-explanation').innerText()).to.equal(relevance.explanation);
    expect(await post.locator('.relevance-explanation').innerText()).to.include('beer');
    await post.locator('.relevance-matches summary').click();
    expect(await post.locator('.relevance-matches li').count()).to.equal(relevance.matches.length);
    expect(await session.page.locator('.exec .quality').getAttribute('data-score')).to.equal(String(beer.verdict!.quality!.score));
    expect(await session.page.locator('img[src="x"]').count(), 'the hostile keyword stays text').to.equal(0);
    expect(await session.page.evaluate('window.__pwned')).to.equal(undefined);
    expect(session.pageErrors).to.deep.equal([]);
  });

  it('shows on each review card the posts that asked, with the relevance the workflow scored for each', async () => {
    const otter = session.fx.byInput('n02444819_otter.JPEG');
    const item = (await session.fx.store.getReview(session.fx.reviewIds.otter))!;
    // The workflow's RequestReview kept the asking post and the same score the execution answered with.
    expect(item.posts).to.have.length(1);
    expect(item.posts![0]).to.deep.include({ title: POST.title, keywords: session.fx.post.keywords });
    expect(item.posts![0].relevance).to.deep.equal(otter.verdict!.relevance);
    expect(item.verdict, 'the image’s verdict keeps no post’s score').not.to.have.property('relevance');
    await open('#/reviews');
    const post = session.page.locator(`article[data-review-id="${session.fx.reviewIds.otter}"] .post`);
    await post.waitFor();
    expect(await post.locator('.post-title').innerText()).to.equal(POST.title);
    expect(await post.locator('.post-keywords span').allInnerTexts()).to.deep.equal(session.fx.post.keywords);
    expect(await post.locator('.relevance-explanation').innerText()).to.equal(otter.verdict!.relevance!.explanation);
    expect(await post.locator('.relevance-score').innerText()).to.equal(`relevance ${otter.verdict!.relevance!.score.toFixed(2)}`);

    // A hostile post title and id stay text.
    const hostile = session.page.locator(`article[data-review-id="${session.fx.reviewIds.hostile}"] .post`);
    await hostile.waitFor();
    expect(await hostile.locator('.post-title').innerText()).to.equal(HOSTILE.postTitle);
    expect(await hostile.innerText()).to.include(HOSTILE.postId);
    expect(await session.page.locator('svg[onload], img[src="x"]').count()).to.equal(0);
    expect(await session.page.evaluate('window.__pwned')).to.equal(undefined);
  });

  it('says why an off-topic image scores little, and that a failed fetch has no quality', async () => {
    const slot = session.fx.byInput('n04243546_slot.JPEG');
    expect(slot.verdict!.relevance!.score, 'a slot machine for a beer post').to.be.below(0.1);
    await open(`#/executions/${slot.id}`);
    const post = session.page.locator('.exec .post');
    await post.waitFor();
    expect(await post.locator('.relevance-score').innerText()).to.equal(`relevance ${slot.verdict!.relevance!.score.toFixed(2)}`);
    expect(await post.locator('.relevance-explanation').innerText()).to.equal(slot.verdict!.relevance!.explanation);

    const bad = session.fx.byInput('not-an-image.jpg');
    expect(bad.verdict!.quality).to.equal(undefined);
    await open(`#/executions/${bad.id}`);
    await session.page.locator('.exec .quality').waitFor();
    expect(await session.page.locator('.exec .quality').innerText()).to.match(/not assessed/);
    expect(await session.page.locator('.exec .post .post-title').innerText()).to.equal(POST.title);
    expect(await session.page.evaluate('window.__pwned')).to.equal(undefined);
  });
});
