import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResultsDir, type ResultsData } from '../results/read-results.ts';
import { writeFixture, type FixtureOptions } from '../../test/fixtures/report/generate-fixture.ts';
import { planReport } from './plan-report.ts';
import { firstReach, planTarget } from './charts/steps-to-target.ts';
import { renderReportHtml } from './render-html.ts';
import { renderSvg, scopeSvgIds } from './render-svg.ts';

let root = '';
const load = async (name: string, opts: FixtureOptions): Promise<ResultsData> => {
  await writeFixture(join(root, name), opts);
  return readResultsDir(join(root, name));
};
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'batchlab-plan-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const status = (data: ResultsData) => Object.fromEntries(planReport(data).charts.map((c) => [c.id, c.kind === 'skipped' ? c.why : 'chart']));

describe('planReport', () => {
  it('draws every chart for the full fixture, and the by-axis chart only with a numeric axis', async () => {
    const s = status(await load('full', {}));
    // No numeric design axis besides the batch size: the by-axis chart is not planned at all.
    expect(Object.values(s)).toEqual(Array(7).fill('chart'));
    expect(s).not.toHaveProperty('final-metric-by-axis');
    const withAxis = status(await load('numeric-axis', { extraAxis: { path: 'model.ghostBatchSize', values: ['2', '8'] } }));
    expect(Object.values(withAxis)).toEqual(Array(8).fill('chart'));
  });

  it('plots the final error against a numeric axis, a control without it as one labelled reference level', async () => {
    const data = await load('ghost', { batchSizes: [32], baseLrs: [0.1], rules: ['none'], diverge: [], extraAxis: { path: 'model.ghostBatchSize', values: ['2', '8', '32', ''] } });
    const chart = planReport(data).charts.find((c) => c.id === 'final-metric-by-axis');
    expect(chart?.kind).toBe('chart');
    const spec = chart?.kind === 'chart' ? chart.variants[0]!.spec : undefined;
    const values = (spec as unknown as { data: { values: { kind: string; series: string; x: number | null; mean: number; seeds: number; label: string }[] } }).data.values;
    const runs = data.runs.map((r) => r.summary);
    const meanErr = (pick: (v: string) => boolean) => {
      const xs = runs.filter((s) => pick(s.axes['model.ghostBatchSize']!)).map((s) => 1 - s.finalTestAcc);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const at2 = values.find((v) => v.x === 2 && v.seeds === 2 && Math.abs(v.mean - meanErr((g) => g === '2')) < 1e-12);
    expect(at2).toBeDefined();
    // The run group without the axis: one reference level (no x, not a point of any curve), labelled.
    const control = values.filter((v) => Math.abs(v.mean - meanErr((g) => g === '')) < 1e-12);
    expect(control).toHaveLength(1);
    expect(control[0]).toMatchObject({ kind: 'reference', x: null });
    expect(control[0]!.label).toContain('not run across model.ghostBatchSize');
    expect(values.filter((v) => v.kind === 'curve').every((v) => v.x !== null)).toBe(true);
    // Drawn as a dashed rule spanning the panel (no x encoding) with its label, and no line through it.
    const layers = (spec as unknown as { spec: { layer: { transform: { filter: string }[]; mark: { type: string; strokeDash?: number[] }; encoding: Record<string, unknown> }[] } }).spec.layer;
    const forReference = layers.filter((l) => l.transform[0]!.filter.includes("'reference'"));
    expect(forReference.map((l) => l.mark.type)).toEqual(['rule', 'text']);
    expect(forReference[0]!.mark.strokeDash).toBeDefined();
    expect(forReference[0]!.encoding).not.toHaveProperty('x');
    expect(layers.filter((l) => l.mark.type === 'line').every((l) => l.transform[0]!.filter.includes("'curve'"))).toBe(true);
    const { svg } = await renderSvg(spec!);
    expect(svg).toContain(control[0]!.label); // the label is drawn as text
    expect(svg).toMatch(/stroke-dasharray="6,4"/);
  });

  it('draws a one-row heatmap but leaves out the stable-LR chart for a single LR, saying why', async () => {
    const s = status(await load('one-lr', { baseLrs: [0.1], diverge: [] }));
    expect(s['final-heatmap']).toBe('chart');
    expect(s['stable-lr']).toContain('only one base LR (0.1)');
    expect(s['loss-curves']).toBe('chart');
  });

  it('leaves out the stable-LR chart when nothing diverged', async () => {
    const s = status(await load('no-div', { diverge: [] }));
    expect(s['stable-lr']).toContain('no run diverged');
    expect(s['final-heatmap']).toBe('chart');
  });

  it('leaves out batch-size charts for one batch size', async () => {
    const s = status(await load('one-batch', { batchSizes: [32] }));
    for (const id of ['final-metric', 'gen-gap', 'steps-to-target', 'throughput']) expect(s[id]).toBe('only one batch size was swept');
  });

  it('uses loss for a regression sweep', async () => {
    const data = await load('regression', { task: 'regression' });
    const { view, charts } = planReport(data);
    expect(view.task).toBe('regression');
    expect(charts.every((c) => c.kind === 'chart')).toBe(true);
    const gap = charts.find((c) => c.id === 'gen-gap');
    const values = gap?.kind === 'chart' ? (gap.variants[0]!.spec as unknown as { data: { values: { measure: string }[] } }).data.values : [];
    expect(new Set(values.map((v) => v.measure))).toEqual(new Set(['loss gap (test − train)']));
  });

  it('picks the best stable base LR per rule and batch size', async () => {
    const { view } = planReport(await load('full2', {}));
    const pick = Object.fromEntries(view.best.map((g) => [`${g.panel}@${g.batchSize}`, g.baseLr]));
    // linear@256 with base LR 0.2 scores higher on its one completed seed but has a diverged seed.
    expect(pick).toEqual({ 'none@16': 0.2, 'none@64': 0.2, 'none@256': 0.2, 'linear@16': 0.2, 'linear@64': 0.2, 'linear@256': 0.05 });
  });

  it('sets the target to 95% of the best accuracy every batch size reached', async () => {
    const data = await load('full3', {});
    const { view } = planReport(data);
    // Independent: best mean final test acc per batch size over completed runs, from the summary.
    const best = [16, 64, 256].map((b) => {
      const byCfg = new Map<string, number[]>();
      for (const r of data.runs) {
        const s = r.summary;
        if (s.batchSize !== b || s.status !== 'completed') continue;
        const k = `${s.scalingRule}/${s.baseLr}`;
        byCfg.set(k, [...(byCfg.get(k) ?? []), s.finalTestAcc]);
      }
      return Math.max(...[...byCfg.values()].map((xs) => xs.reduce((a, c) => a + c, 0) / xs.length));
    });
    expect(planTarget(view)).toBeCloseTo(0.95 * Math.min(...best), 12);
    const curve = data.runs[0]!.curve;
    const hit = firstReach(curve, 0.5, 'classification')!;
    expect(hit.testAcc).toBeGreaterThanOrEqual(0.5);
    expect(curve.filter((p) => p.step < hit.step).every((p) => !(p.testAcc >= 0.5))).toBe(true);
  });
});

describe('renderReportHtml', () => {
  it('lists skipped charts with their reason and has no external resources', async () => {
    const data = await load('html', { baseLrs: [0.1], diverge: [] });
    const { view, charts, findings } = planReport(data);
    const sections = charts.map((c) => (c.kind === 'skipped' ? c : { plan: c, svgs: c.variants.map(() => '<svg id="clip1"><g clip-path="url(#clip1)"></g></svg>') }));
    const html = renderReportHtml({ data, view, sections, notes: [], findings });
    expect(html).toContain('<p class="skipped" data-skipped="stable-lr">Not drawn: only one base LR (0.1) was swept');
    // Findings first; the ones one LR cannot support are listed as left out, with the reason.
    expect(html.indexOf('<section id="findings">')).toBeLessThan(html.indexOf('<section id="loss-curves">'));
    // One base LR under two rules tries two applied LRs at 64 and 256 but one at B0 = 16.
    expect(html).toContain('<li data-left-out="best-lr">how the best learning rate grows with the batch size: it needs a best LR at 3 or more batch sizes');
    expect(html).toContain('<figure data-chart="loss-curves">');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain('id="loss-curves-epochs-clip1"');
    expect(html).toContain('url(#loss-curves-epochs-clip1)');
  });

  it('scopes SVG ids and their references', () => {
    expect(scopeSvgIds('<clipPath id="c1"/><g clip-path="url(#c1)"/><use href="#c1"/>', 'p')).toBe('<clipPath id="p-c1"/><g clip-path="url(#p-c1)"/><use href="#p-c1"/>');
  });
});

describe('steps to target with the critical-batch fit', () => {
  it('draws S = S_min (1 + B_noise/B) through the measured steps when three batch sizes reach the target', async () => {
    const { charts } = planReport(await load('fit', {}));
    const chart = charts.find((c) => c.id === 'steps-to-target');
    if (chart?.kind !== 'chart') throw new Error('steps-to-target was not drawn');
    const values = (chart.variants[0]!.spec as unknown as { data: { values: { kind: string; panel: string; batch_size: number; value: number; measure: string }[] } }).data.values;
    const fit = values.filter((v) => v.kind === 'critical-batch fit' && v.measure === 'optimizer steps');
    const measured = values.filter((v) => v.kind === 'measured' && v.measure === 'optimizer steps');
    expect(chart.caption).toMatch(/B_noise/);
    const markers = (values as { kind: string; label?: string }[]).filter((v) => v.kind === 'marker');
    expect(markers.some((m) => m.label?.startsWith('B_noise'))).toBe(true);
    for (const panel of new Set(fit.map((v) => v.panel))) {
      // The fitted curve is S_min (1 + B_noise/B): falling in B and flattening towards S_min.
      const ys = fit.filter((v) => v.panel === panel).sort((a, b) => a.batch_size - b.batch_size).map((v) => v.value);
      expect(ys.every((y, i) => i === 0 || y < ys[i - 1]!)).toBe(true);
      const pts = measured.filter((v) => v.panel === panel);
      expect(pts.length).toBeGreaterThanOrEqual(3);
    }
  });
});
