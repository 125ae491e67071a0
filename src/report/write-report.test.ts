import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { renderPng } from './render-png.ts';
import { writeFixture } from '../../test/fixtures/report/generate-fixture.ts';
import { requireSystem } from '../../test/support/require-system.ts';
import { findPngFonts, writeReport } from './write-report.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'batchlab-write-report-'));
  await writeFixture(join(dir, 'sweep'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('writeReport', () => {
  it('writes report.html and an SVG and PNG per chart variant', async () => {
    const out = await writeReport(join(dir, 'sweep'));
    expect(out.html).toBe(join(dir, 'sweep', 'report.html'));
    expect(out.skipped).toEqual([]);
    expect(out.charts.map((p) => p.slice(join(dir, 'sweep', 'charts').length + 1)).sort()).toEqual([
      'final-heatmap', 'final-metric', 'gen-gap', 'loss-curves-epochs', 'loss-curves-examples', 'loss-curves-steps', 'stable-lr', 'steps-to-target', 'throughput',
    ].flatMap((n) => [`${n}.png`, `${n}.svg`]).sort());
    for (const f of out.charts.filter((p) => p.endsWith('.png'))) expect((await readFile(f)).subarray(0, 8)).toEqual(PNG_MAGIC);
    const html = await readFile(out.html, 'utf8');
    expect(html.match(/<figure data-chart=/g)).toHaveLength(7);
    expect(html.match(/<svg /g)).toHaveLength(9);
  });

  it('writes to another file, with charts/ beside it, and reports skipped charts', async () => {
    await writeFixture(join(dir, 'one-lr'), { baseLrs: [0.1], diverge: [] });
    const outFile = join(dir, 'elsewhere', 'r.html');
    const out = await writeReport(join(dir, 'one-lr'), outFile);
    expect(out.html).toBe(outFile);
    // One base LR: the heatmap is a single row; the stable-LR chart has no LR range.
    expect(out.skipped.map((s) => s.chart)).toEqual(['stable-lr']);
    expect((await stat(join(dir, 'elsewhere', 'charts', 'final-heatmap.svg'))).isFile()).toBe(true);
    expect((await stat(join(dir, 'elsewhere', 'charts', 'gen-gap.svg'))).isFile()).toBe(true);
  });

  it('throws a UsageError for a directory without results', async () => {
    await expect(writeReport(join(dir, 'missing'))).rejects.toThrow(UsageError);
  });
});

const fonts = await findPngFonts();

describe('PNG text', () => {
  const blankSvg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"></svg>';
  const svg = blankSvg.replace('></svg>', '><text x="5" y="28" font-family="sans-serif" font-size="20">batch 64</text></svg>');

  it('renders without fonts: every mark but no text', () => {
    expect(renderPng(svg, { fontFiles: [], loadSystemFonts: false }, 1)).toEqual(renderPng(blankSvg, { fontFiles: [], loadSystemFonts: false }, 1));
  });

  // Any font found will do (DejaVu or Liberation); fonts-dejavu-core is the one to install.
  it.skipIf(requireSystem('fonts-dejavu-core', fonts !== null))('draws text with the font found on this machine', () => {
    expect(fonts, 'no font found: install the Debian package fonts-dejavu-core').not.toBeNull();
    expect(renderPng(svg, fonts!, 1)).not.toEqual(renderPng(blankSvg, fonts!, 1));
  });
});

describe('writeReport with verdicts', () => {
  it('adds the verdicts section when batchlab verify has written verdicts.json', async () => {
    const { writeFile: write } = await import('node:fs/promises');
    await writeFixture(join(dir, 'with-verdicts'));
    const before = await readFile((await writeReport(join(dir, 'with-verdicts'))).html, 'utf8');
    expect(before).not.toContain('id="verdicts"');
    const verdict = {
      claimId: 'C9', statement: 'A claim about the fixture.', kind: 'paired-difference', metric: 'final_test_acc',
      statistic: 'mean A - B', estimate: 0.01, lo: 0.005, hi: 0.02, level: 0.95, interval: 'bootstrap', n: 2,
      expect: '> 0', verdict: 'SUPPORTED', reason: 'The fixture says so.', details: {},
    };
    await write(join(dir, 'with-verdicts', 'verdicts.json'), JSON.stringify({ verdicts: [verdict] }));
    const after = await readFile((await writeReport(join(dir, 'with-verdicts'))).html, 'utf8');
    expect(after).toContain('id="verdicts"');
    expect(after).toContain('The fixture says so.');
  });
});

describe('writeReport with an unreadable verdicts.json', () => {
  it('warns instead of silently dropping the verdicts', async () => {
    const { writeFile: write } = await import('node:fs/promises');
    await writeFixture(join(dir, 'bad-verdicts'));
    await write(join(dir, 'bad-verdicts', 'verdicts.json'), '{ not json');
    const out = await writeReport(join(dir, 'bad-verdicts'));
    expect(out.warnings.some((w) => w.includes('verdicts.json could not be read'))).toBe(true);
  });
});
