/**
 * `npx tsx test/console/screenshots.ts [eval-report.json]`: the README's console screenshots (docs/*.png)
 * from the same real fixture the browser tests use, and the page's load times (median of 7 loads per
 * view, navigation start until the view has rendered its data).
 */
import '../../cli/node-version.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../functions/shared/project.js';
import { launchChromium } from './browser.js';
import { startConsoleFixture } from './fixtures.js';

const docs = path.join(projectRoot, 'docs');
const fx = await startConsoleFixture({ hostile: false, moderator: 'alice', evalReport: process.argv[2] ? path.resolve(process.argv[2]) : undefined });
const browser = await launchChromium();
try {
  await mkdir(docs, { recursive: true });
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  const show = async (hash: string) => {
    await page.goto(`${fx.console.url}${hash}`);
    await page.waitForSelector('body[data-ready]');
    await page.waitForLoadState('networkidle');
  };

  const timings: Record<string, number> = {};
  for (const view of ['#/reviews', '#/executions', `#/executions/${fx.byInput('n02823428_beer_bottle.JPEG').id}`, '#/eval']) {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await page.goto(`${fx.console.url}${view}`);
      await page.waitForSelector('body[data-ready]');
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    timings[view.replace(/\/\d{8}T.*/, '/:id')] = Math.round(samples[3]);
  }

  await show('#/reviews');
  await page.locator('article.card').first().locator('textarea.note').fill('soft drink, not beer');
  await page.screenshot({ path: path.join(docs, 'console-review-queue.png') });
  await show(`#/executions/${fx.byInput('n02823428_beer_bottle.JPEG').id}`);
  await page.locator('g.node[data-state="CheckSafety"]').click();
  await page.screenshot({ path: path.join(docs, 'console-execution.png'), fullPage: true });
  await show(`#/executions/${fx.byInput('not-an-image.jpg').id}`);
  await page.locator('g.node[data-state="FetchImage"]').click();
  await page.screenshot({ path: path.join(docs, 'console-execution-caught.png'), fullPage: true });
  if (process.argv[2]) {
    await show('#/eval');
    await page.screenshot({ path: path.join(docs, 'console-eval.png'), fullPage: true });
  }
  process.stdout.write(`${JSON.stringify({ medianLoadMs: timings })}\n`);
} finally {
  await browser.close();
  await fx.close();
}
