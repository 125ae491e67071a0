/**
 * The report in a real browser: every chart is drawn with data marks, the x-axis switch works,
 * and the page logs no errors. Needs the Debian package `chromium` (/usr/bin/chromium).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/results/write-report.ts';
import { writeFixture } from './fixtures/report/generate-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.BATCHLAB_REQUIRE_SYSTEM === '1';
const present = existsSync(CHROMIUM);
if (!present && !required) console.warn(`report-browser.test: skipped; install the Debian package chromium (${CHROMIUM} not found)`);

describe.skipIf(!present && !required)('report.html in headless Chromium', () => {
  let dir = '';
  beforeAll(async () => {
    if (!present) throw new Error(`BATCHLAB_REQUIRE_SYSTEM=1 but ${CHROMIUM} is missing: install the Debian package chromium`);
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
