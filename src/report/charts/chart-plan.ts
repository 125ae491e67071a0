/** What a chart planner returns: Vega-Lite specs to render, or why the chart does not apply. */
import type { TopLevelSpec } from 'vega-lite';

export interface ChartVariant {
  /** File-name suffix and radio value, e.g. 'steps'; '' for a chart with one variant. */
  name: string;
  label: string;
  spec: TopLevelSpec;
}

export interface PlannedChart {
  kind: 'chart';
  /** Stable id: the data-chart attribute in the HTML and the file name under charts/. */
  id: string;
  title: string;
  /** What is plotted and how it was derived (seeds, LR choice, targets), shown under the chart. */
  caption: string;
  variants: ChartVariant[];
}

export interface SkippedChart {
  kind: 'skipped';
  id: string;
  title: string;
  why: string;
}

export type ChartPlan = PlannedChart | SkippedChart;

export const skip = (id: string, title: string, why: string): SkippedChart => ({ kind: 'skipped', id, title, why });

/** Shared look: white background (PNG has no page behind it), generic sans-serif font. */
export const CHART_CONFIG = {
  background: 'white',
  font: 'sans-serif',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 360 }, // panel names carry axis values
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

/** Batch-size x axis: log2 scale with a tick at each batch size swept. */
export function batchAxis(batchSizes: number[]) {
  return {
    field: 'batch_size',
    type: 'quantitative',
    title: 'batch size',
    scale: { type: 'log', base: 2, domain: [Math.min(...batchSizes) / 1.3, Math.max(...batchSizes) * 1.3], nice: false },
    axis: { values: batchSizes, format: 'd' },
  } as const;
}

/** A panel's size in pixels unless a chart's panel spec sets its own. */
const PANEL_SIZE = { width: 300, height: 220 } as const;

/** The facet of the charts with one panel per sweep panel (`SweepView.panels`), three to a row at most. */
export function panelFacet(panels: readonly string[]): { facet: { field: string; sort: readonly string[] }; columns: number } {
  return { facet: { field: 'panel', sort: panels }, columns: Math.min(panels.length, 3) };
}

/** A colour encoding with one colour per sweep panel, in panel order. */
export function panelColor(title: string, panels: readonly string[]) {
  return { field: 'panel', type: 'nominal', title, sort: panels } as const;
}

/**
 * A Vega-Lite chart with the shared look, one panel per value of `facet.field` in `facet.sort`
 * order: `columns` wraps the panels into rows, `independentY` gives each panel its own y scale,
 * and `spec` is what each panel draws (PANEL_SIZE unless it sets width or height).
 */
export function facetedSpec(chart: {
  values: readonly unknown[];
  facet: { field: string; sort: readonly string[] };
  columns?: number;
  independentY?: boolean;
  spec: Record<string, unknown>;
}): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values: chart.values },
    facet: { field: chart.facet.field, type: 'nominal', title: null, sort: chart.facet.sort },
    ...(chart.columns !== undefined ? { columns: chart.columns } : {}),
    ...(chart.independentY ? { resolve: { scale: { y: 'independent' } } } : {}),
    spec: { ...PANEL_SIZE, ...chart.spec },
  } as unknown as TopLevelSpec;
}
