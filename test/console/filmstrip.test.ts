/**
 * The console's filmstrip: every view the checks looked at, named as the reasons name it, the view a
 * reason came from marked. An animated GIF whose frames are real photos (a fish, a bird, then a beer
 * bottle) and a still JPEG through the real CLI and local workflow (recorded executions, the real SQLite
 * store), the real server on loopback, Debian's Chromium.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Locator } from 'playwright-core';
import { startConsole, type RunningConsole } from '../../console/server/main.js';
import type { ExecutionRecord } from '../../workflows/local/execution-record.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { animation, CALIBRATION, SAMPLE } from '../formats/fixtures.js';
import { moderateFiles, useConsoleSession } from './fixtures.js';

const GIF = 'tench-junco-beer.gif';
const STILL = 'n02823428_beer_bottle.JPEG';
const LABELS = ['frame 1 of 3', 'frame 2 of 3', 'frame 3 of 3'];

interface FilmstripFixture {
  console: RunningConsole;
  gif: ExecutionRecord;
  still: ExecutionRecord;
  /** The review items the workflow queued for them ('' when it queued none). */
  reviewIds: { gif: string; still: string };
  close(): Promise<void>;
}

async function startFilmstripFixture(): Promise<FilmstripFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'console-filmstrip-'));
  const dataDir = path.join(dir, 'data');
  const stagingDir = path.join(dir, 'staging');
  // 480 px frames: above the blog's 400 px minimum, so the only reason to hold the GIF is its content.
  const file = path.join(dir, GIF);
  await writeFile(file, await animation([SAMPLE('n01440764_tench.JPEG'), CALIBRATION('n01534433_junco.JPEG'), SAMPLE(STILL)], 'gif', 480));
  const { byInput } = await moderateFiles([file, SAMPLE(STILL)], { dataDir, stagingDir });
  const gif = byInput(GIF);
  const still = byInput(STILL);
  const store = await SqliteVerdictStore.open(dataDir);
  const pending = await store.listReviews({ status: 'pending' });
  const queuedFor = (r: ExecutionRecord) => pending.find((i) => i.sha256 === r.verdict?.image?.sha256)?.reviewId ?? '';
  const running = await startConsole({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    stagingDir,
    evalReport: path.join(dir, 'no-eval', 'report.json'),
    safetyEngine: 'local',
    moderator: 'alice',
  });
  return {
    console: running,
    gif,
    still,
    reviewIds: { gif: queuedFor(gif), still: queuedFor(still) },
    async close() {
      await running.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('console: filmstrip of the checked frames (real GIF, CLI, store, server, Chromium)', function () {
  this.timeout(240_000);
  const session = useConsoleSession(startFilmstripFixture);
  const { open } = session;

  /** Every thumbnail of a strip really loaded from the server (a broken src has naturalWidth 0). */
  async function loadedWidths(strip: Locator): Promise<number[]> {
    const imgs = strip.locator('li.view img');
    const widths: number[] = [];
    for (let i = 0; i < (await imgs.count()); i++) {
      const img = imgs.nth(i);
      // Lazy images load once on screen.
      await img.scrollIntoViewIfNeeded();
      // Re-encoded by sharp on request: on a loaded machine it arrives on its own time.
      await session.page.waitForFunction((el) => el.complete, await img.elementHandle(), { timeout: 30_000 });
      widths.push(await img.evaluate((el) => el.naturalWidth));
    }
    return widths;
  }

  /** What the strip shows, checked against the verdict the workflow recorded. */
  async function expectStrip(strip: Locator, record: ExecutionRecord) {
    const checks = record.verdict!.image!.checks!;
    const views = strip.locator('li.view');
    expect(await views.count()).to.equal(3);
    expect(await strip.locator('.view-label').allInnerTexts()).to.deep.equal(LABELS);
    expect(await strip.locator('li.view img').evaluateAll((els) => els.map((e) => e.getAttribute('alt')))).to.deep.equal(LABELS);
    // Each thumbnail is its own checked view's pixels, not the GIF's first frame three times.
    const srcs = await strip.locator('li.view img').evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''));
    for (const [i, check] of checks.entries()) {
      expect(srcs[i]).to.match(new RegExp(`^/api/images/${check.sha256}/jpeg\\?w=160&token=.+`));
    }
    for (const w of await loadedWidths(strip)) expect(w, 'a thumbnail that loaded').to.be.greaterThan(0);

    const cause = strip.locator('li.view.cause');
    expect(await cause.count(), 'only the beer frame is marked').to.equal(1);
    expect(await cause.getAttribute('data-view')).to.equal('frame 3 of 3');
    expect(await cause.locator('.view-label').innerText()).to.equal('frame 3 of 3');
    expect(await cause.locator('.view-reason').innerText()).to.equal('category-review: Alcohol');
  }

  it('moderated the GIF frame by frame: held for the beer in frame 3 of 3 only', () => {
    const { gif, still, reviewIds } = session.fx;
    const v = gif.verdict!;
    expect(v.decision).to.equal('review');
    expect(v.image!.frames).to.equal(3);
    expect(v.image!.checks!.map((c) => c.frame)).to.deep.equal([1, 2, 3]);
    const held = v.reasons.filter((r) => r.code !== 'clean');
    expect(held.map((r) => [r.code, r.category, r.view])).to.deep.equal([['category-review', 'Alcohol', 'frame 3 of 3']]);
    expect(reviewIds.gif, 'the workflow queued the GIF for review').not.to.equal('');
    expect(still.verdict!.image!.checks, 'a still JPEG is checked as itself').to.have.length(1);
    expect(reviewIds.still, 'the workflow queued the still beer photo for review').not.to.equal('');
  });

  it('shows every checked frame on the GIF’s review card, the beer frame marked as the cause', async () => {
    await open('#/reviews');
    const strip = session.page.locator(`article[data-review-id="${session.fx.reviewIds.gif}"] .filmstrip`);
    await strip.waitFor();
    await expectStrip(strip, session.fx.gif);
  });

  it('shows the same strip on the GIF’s execution', async () => {
    await open(`#/executions/${session.fx.gif.id}`);
    const strip = session.page.locator('.exec .filmstrip');
    await strip.waitFor();
    await expectStrip(strip, session.fx.gif);
  });

  it('shows no strip for a still JPEG (its one view is the thumbnail)', async () => {
    const { page, fx } = session;
    await open('#/reviews');
    const card = page.locator(`article[data-review-id="${fx.reviewIds.still}"]`);
    await card.waitFor();
    expect(await card.locator('.reasons li').count(), 'the card is drawn').to.be.greaterThan(0);
    expect(await card.locator('.filmstrip').count()).to.equal(0);
    await open(`#/executions/${fx.still.id}`);
    await page.locator('.exec .quality').waitFor();
    expect(await page.locator('.filmstrip').count()).to.equal(0);
    expect(session.pageErrors).to.deep.equal([]);
  });
});
