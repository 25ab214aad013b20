/**
 * The console's eval view on a report the real `npm run eval` wrote: real rows of
 * ../shared/images/labels.tsv (one copied under a hostile file name), the real local workflow and models,
 * the real console server, Debian's Chromium. What the page shows is compared with the report.json the
 * eval wrote, never with numbers written here.
 */
import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { EvalReport } from '../../eval/report.js';
import { main as evalMain } from '../../eval/run.js';
import type { SweepPoint } from '../../eval/sweep.js';
import { startConsole, type RunningConsole } from '../../console/server/main.js';
import { captureIo, sharedDir } from '../workflow/fixtures.js';
import { launchChromium, watchedPage, type Browser } from './browser.js';
import { HOSTILE } from './fixtures.js';

const LABELS = path.join(sharedDir, 'images/labels.tsv');
/**
 * A handful of labelled photos: two flag rows the classifier's evidence decides (the sweep has curves),
 * an either row, a benign photo, and the hammerhead that the shipped policy flags (README, "Measured
 * verdicts"), so the offenders list is not empty. It is copied under a hostile name: the file name is
 * what the offenders list shows.
 */
const PICK = [
  'imagenet-sample/n04243546_slot.JPEG',
  'imagenet-sample/n02823428_beer_bottle.JPEG',
  'imagenet-sample/n04443257_tobacco_shop.JPEG',
  'imagenet-sample/n02391049_zebra.JPEG',
  'calibration/n01494475_hammerhead.JPEG',
];
const RENAMED = 'calibration/n01494475_hammerhead.JPEG';
const HOSTILE_LABELS_FILE = '"><svg onload=window.__pwned=6>labels.tsv';

describe('console eval view on a report the real eval wrote (Chromium)', function () {
  this.timeout(600_000);
  let dir: string;
  let report: EvalReport;
  let running: RunningConsole;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-eval-'));
    const header = (await readFile(LABELS, 'utf8')).split('\n')[0];
    const rows = new Map((await readFile(LABELS, 'utf8')).split('\n').map((line) => [line.split('\t')[0], line.split('\t')] as const));
    const photos = path.join(dir, 'photos');
    await mkdir(photos);
    const lines = [header];
    for (const file of PICK) {
      const row = rows.get(file);
      if (!row) throw new Error(`${file} is no longer listed in ${LABELS}: pick another row`);
      const name = file === RENAMED ? HOSTILE.file : path.basename(file);
      await copyFile(path.join(path.dirname(LABELS), file), path.join(photos, name));
      lines.push([`photos/${name}`, ...row.slice(1)].join('\t'));
    }
    expect(lines.some((l) => l.split('\t')[1] === 'flag')).to.equal(true);
    const labels = path.join(dir, HOSTILE_LABELS_FILE);
    await writeFile(labels, `${lines.join('\n')}\n`);

    const out = path.join(dir, 'eval');
    const io = captureIo({ ...process.env });
    const code = await evalMain([labels, '--json', '--out', out, '--staging-dir', path.join(dir, 'staging'), '--concurrency', '2'], io);
    expect(code, io.err()).to.equal(0);
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    const offenders = [...report.offenders.falseRejects, ...report.offenders.falseFlags, ...report.offenders.missed];
    expect(offenders, 'the picked photos must include one the shipped policy misjudges (README "Measured verdicts" names them)').not.to.be.empty;
    expect(report.sweep, 'flag rows make sweep curves').not.to.be.empty;

    running = await startConsole({
      port: 0,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'data'),
      stagingDir: path.join(dir, 'staging'),
      evalReport: path.join(out, 'report.json'),
      safetyEngine: 'local',
      moderator: 'alice',
    });
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await watchedPage(browser));
    await page.goto(`${running.url}#/eval`);
    await page.waitForSelector('body[data-ready="eval"]');
  });
  after(async () => {
    await browser?.close();
    await running?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The figure whose caption is `label` (the page shows each as <div><b>value</b>label</div>). */
  const figure = async (label: RegExp) => {
    const figures = await page
      .locator('.numbers div')
      .evaluateAll((els) => els.map((e) => ({ value: e.querySelector('b')?.textContent ?? '', text: e.textContent ?? '' })));
    const found = figures.find((f) => label.test(f.text));
    if (!found) throw new Error(`no figure ${label} among ${JSON.stringify(figures)}`);
    return found.value;
  };
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

  it('shows the report’s figures: images, false flags of benign photos, false rejects, recall', async () => {
    expect(await figure(/^\d+images$/)).to.equal(String(report.images));
    expect(await figure(/false-flag rate/)).to.equal(`${percent(report.falseFlagRate)} (${report.falseFlags}/${report.benign})`);
    expect(await figure(/false rejects/)).to.equal(String(report.falseRejects));
    expect(await figure(/recall/)).to.equal(`${percent(report.recall)} (${report.caught}/${report.sensitive})`);
    expect(await figure(/either/)).to.equal(`${report.either.flagged}/${report.either.count}`);
    // Nothing absent from the report may print as a word (a missing block once showed "null").
    expect(await page.locator('#view').innerText()).not.to.match(/\b(null|undefined|NaN)\b/);
    const header = await page.locator('#view p.muted').first().innerText();
    expect(header).to.include(report.labels).and.include(HOSTILE_LABELS_FILE);
  });

  it('lists every offender of the report, with its decision and why, the hostile file name as text', async () => {
    const lists = [
      ['False rejects', report.offenders.falseRejects],
      ['False flags', report.offenders.falseFlags],
      ['Missed', report.offenders.missed],
    ] as const;
    const sections = await page
      .locator('#view section.offenders h3')
      .evaluateAll((hs) =>
        hs.map((h) => ({ title: h.textContent ?? '', items: [...(h.nextElementSibling?.querySelectorAll('li') ?? [])].map((li) => li.textContent ?? '') })),
      );
    expect(sections.map((s) => s.title)).to.deep.equal(lists.filter(([, xs]) => xs.length).map(([title, xs]) => `${title} (${xs.length})`));
    for (const [title, xs] of lists) {
      const shown = sections.find((s) => s.title.startsWith(title))?.items ?? [];
      expect(shown, title).to.have.length(xs.length);
      xs.forEach((o, i) => {
        expect(shown[i], title).to.include(o.file).and.include(o.decision);
        for (const why of o.why) expect(shown[i], title).to.include(why);
      });
    }
    expect(sections.flatMap((s) => s.items).some((t) => t.includes(HOSTILE.file))).to.equal(true);
    expect(await page.locator('img[src="x"], svg[onload], script:not([src])').count()).to.equal(0);
    expect(await page.evaluate('window.__pwned')).to.equal(undefined);
    expect(pageErrors).to.deep.equal([]);
  });

  it('draws one sweep chart per curve: each point where the report puts it, the policy’s threshold marked', async () => {
    // No named functions inside: tsx would wrap them in a __name helper the page does not have.
    const charts = await page.locator('figure.chart').evaluateAll((figs) =>
      figs.map((f) => ({
        title: f.querySelector('h3')?.textContent ?? '',
        label: f.querySelector('svg')?.getAttribute('aria-label') ?? '',
        ffr: f.querySelector('path.ffr')?.getAttribute('d') ?? '',
        recall: f.querySelector('path.recall')?.getAttribute('d') ?? '',
        currentX: Number(f.querySelector('line.current')?.getAttribute('x1')),
        // The vertical axis runs from 0 % (y1) to 100 % (y2).
        y0: Number(f.querySelectorAll('line.axis')[1]?.getAttribute('y1')),
        y100: Number(f.querySelectorAll('line.axis')[1]?.getAttribute('y2')),
      })),
    );
    expect(charts.map((c) => c.label)).to.deep.equal(report.sweep.map((c) => `${c.category} ${c.source}`));
    const points = (d: string) => [...d.matchAll(/[ML] ([\d.-]+) ([\d.-]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    report.sweep.forEach((curve, i) => {
      const chart = charts[i];
      expect(chart.title).to.include(curve.category).and.include(`review ≥ ${curve.current}`);
      // Recall as eval's own sweep.svg draws it: the category's, where photos are labelled in it.
      for (const [key, d, value] of [
        ['false-flag rate', chart.ffr, (p: SweepPoint) => p.falseFlagRate],
        ['recall', chart.recall, (p: SweepPoint) => p.categoryRecall ?? p.recall],
      ] as const) {
        const drawn = points(d);
        expect(drawn, `${chart.label} ${key}`).to.have.length(curve.points.length);
        // x grows with the threshold; y is the value on the chart's own axis (0 % to 100 %).
        expect(chart.y100).to.be.lessThan(chart.y0);
        drawn.forEach((pt, j) => {
          if (j) expect(pt.x, `${chart.label} ${key} x`).to.be.greaterThan(drawn[j - 1].x);
          const expected = chart.y0 + value(curve.points[j]) * (chart.y100 - chart.y0);
          expect(pt.y, `${chart.label} ${key} at ${curve.points[j].threshold}`).to.be.closeTo(expected, 0.11);
        });
        const at = curve.points.findIndex((p) => p.threshold === curve.current);
        if (at >= 0) expect(chart.currentX, `${chart.label} current threshold`).to.be.closeTo(drawn[at].x, 0.11);
      }
    });
  });
});
