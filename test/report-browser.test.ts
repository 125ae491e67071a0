/**
 * The report in a real browser: every chart is drawn with data marks, the x-axis switch works,
 * the runs table sorts and filters, tooltips name the runs, every run is in the table and in a chart, and the page logs no errors. Needs the Debian package `chromium` (/usr/bin/chromium).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/write-report.ts';
import { writeFixture } from './fixtures/report/generate-fixture.ts';
import { readCsvRows } from './support/cli.ts';
import { requireSystem } from './support/require-system.ts';

const CHROMIUM = '/usr/bin/chromium';
const skipChromium = requireSystem('chromium', existsSync(CHROMIUM), { why: `${CHROMIUM} not found` });

describe.skipIf(skipChromium)('report.html in headless Chromium', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchlab-report-'));
    await writeFixture(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders every chart with data marks and no console errors', async () => {
    const out = await writeReport(dir);
    expect(out.skipped).toEqual([]);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(out.html).href);

      const ids = await page.$$eval('figure[data-chart]', (fs) => fs.map((f) => f.getAttribute('data-chart')));
      expect(ids).toEqual(['loss-curves', 'final-heatmap', 'final-metric', 'gen-gap', 'steps-to-target', 'throughput', 'stable-lr']);
      for (const id of ids) {
        // Data marks live in vega's role-mark groups (axes, legends and titles have other roles).
        const marks = await page.$$eval(`figure[data-chart="${id}"] [data-variant]:not([hidden]) g.role-mark > *`, (els) =>
          els.filter((e) => { const r = (e as SVGGraphicsElement).getBoundingClientRect(); return r.width > 0 || r.height > 0; }).length);
        expect(marks, `visible data marks in ${id}`).toBeGreaterThan(0);
      }
      // Heatmap: one rect per (rule, batch size, base LR) = 2 x 3 x 2.
      expect(await page.$$eval('figure[data-chart="final-heatmap"] g.mark-rect.role-mark > path', (e) => e.length)).toBe(12);

      // The x-axis switch shows exactly one variant at a time.
      const visible = () => page.$$eval('figure[data-chart="loss-curves"] [data-variant]', (vs) => vs.filter((v) => !(v as HTMLElement).hidden).map((v) => v.getAttribute('data-variant')));
      expect(await visible()).toEqual(['steps']);
      await page.check('input[name="loss-curves-x"][value="epochs"]');
      expect(await visible()).toEqual(['epochs']);
      expect(await page.$$eval('figure[data-chart="loss-curves"] [data-variant="epochs"] g.role-mark > *', (e) => e.length)).toBeGreaterThan(0);
      await page.check('input[name="loss-curves-x"][value="steps"]');

      expect(await page.$$eval('table[data-table="runs"] tbody tr', (r) => r.length)).toBe(24);

      // The runs table sorts by a clicked header (numbers numerically, empty last) and filters.
      const shownRows = () => page.$$eval('table[data-table="runs"] tbody tr', (rs) => rs.filter((r) => !(r as HTMLElement).hidden).map((r) => ({
        status: r.getAttribute('data-status'), batch: r.getAttribute('data-batch-size'), text: r.textContent ?? '',
      })));
      const column = (title: string) => page.$$eval('table[data-table="runs"] th', (ths, t) => ths.findIndex((th) => th.textContent?.trim() === t), title);
      const cellKeys = (col: number) => page.$$eval('table[data-table="runs"] tbody tr', (rs, c) => rs.map((r) => r.children[c]!.getAttribute('data-sort') ?? ''), col);
      expect(await page.isVisible('[data-runs-controls]')).toBe(true);
      const acc = await column('test acc');
      await page.click(`table[data-table="runs"] th button[data-sort-col="${acc}"]`);
      const up = await cellKeys(acc);
      const finite = up.filter((k) => k !== '').map(Number);
      expect(finite).toEqual([...finite].sort((a, b) => a - b));
      expect(up.slice(finite.length).every((k) => k === '')).toBe(true); // the diverged run's empty test acc last
      expect(await page.getAttribute(`table[data-table="runs"] th:nth-child(${acc + 1})`, 'aria-sort')).toBe('ascending');
      await page.click(`table[data-table="runs"] th button[data-sort-col="${acc}"]`);
      const down = (await cellKeys(acc)).filter((k) => k !== '').map(Number);
      expect(down).toEqual([...finite].sort((a, b) => b - a));
      await page.selectOption('select[data-filter="status"]', 'diverged');
      expect((await shownRows()).map((r) => r.status)).toEqual(['diverged']);
      expect(await page.textContent('[data-runs-count]')).toBe('1 of 24 runs shown');
      await page.selectOption('select[data-filter="status"]', '');
      await page.selectOption('select[data-filter="batch"]', '64');
      const b64 = await shownRows();
      expect(b64.length).toBeGreaterThan(0);
      expect(b64.every((r) => r.batch === '64')).toBe(true);
      await page.fill('input[data-filter="text"]', 'linear');
      const linear64 = await shownRows();
      expect(linear64.length).toBeGreaterThan(0);
      expect(linear64.length).toBeLessThan(b64.length);
      expect(linear64.every((r) => r.batch === '64' && r.text.includes('linear'))).toBe(true);
      await page.click('button[data-filter="clear"]');
      expect((await shownRows()).length).toBe(24);

      // Tooltips: hovering a heatmap cell puts the pointer on a mark whose SVG <title> names the
      // configuration and each run (id, seed, value); no script or network involved.
      const cell = page.locator('figure[data-chart="final-heatmap"] g.mark-rect.role-mark > path').first();
      await cell.scrollIntoViewIfNeeded();
      const box = (await cell.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hovered = await page.evaluate(([x, y]) => {
        let el: Element | null = document.elementFromPoint(x!, y!);
        while (el && !el.querySelector(':scope > title')) el = el.parentElement;
        return el?.querySelector(':scope > title')?.textContent ?? '';
      }, [box.x + box.width / 2, box.y + box.height / 2]);
      expect(hovered).toMatch(/^none · batch size 16 · base LR 0\.05 · LR 0\.05\n/);
      expect(hovered).toMatch(/\nrun r\w+ · seed 1 · test acc 0\.\d+/);
      for (const id of ['final-metric', 'gen-gap', 'steps-to-target', 'throughput', 'stable-lr', 'loss-curves']) {
        const titles = await page.$$eval(`figure[data-chart="${id}"] g.role-mark title`, (ts) => ts.length);
        expect(titles, `tooltips in ${id}`).toBeGreaterThan(0);
      }
      // A legend or caption never hides a series: every run of the summary is in the runs table
      // and named in at least one chart's tooltips.
      const tableIds = await page.$$eval('table[data-table="runs"] tbody tr td:first-child', (tds) => tds.map((t) => t.textContent ?? ''));
      const chartText = (await page.$$eval('figure[data-chart] g.role-mark title', (ts) => ts.map((t) => t.textContent ?? ''))).join('\n');
      const summaryIds = readCsvRows(join(dir, 'summary.csv')).map((row) => row.run_id!);
      expect(summaryIds).toHaveLength(24);
      expect([...tableIds].sort()).toEqual([...summaryIds].sort());
      expect(summaryIds.filter((id) => !chartText.includes(`run ${id} `))).toEqual([]);

      // The findings come first, each linking to a chart on the page.
      const links = await page.$$eval('#findings li[data-finding] > a', (as) => as.map((a) => a.getAttribute('href')));
      expect(links.length).toBeGreaterThan(0);
      for (const href of links) expect(await page.$$eval(href!, (e) => e.length)).toBe(1);
      expect(await page.$$eval('tr.status-diverged', (r) => r.length)).toBe(1);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report-browser.png', fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
