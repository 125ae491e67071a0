/**
 * The self-contained report page: inline SVG charts, the runs and environment tables, inline CSS
 * and a few lines of inline script for the x-axis switch and the runs table's sorting and
 * filtering (runs-table.ts). No external resources. Pure.
 */
import type { ResultsData } from '../results/read-results.ts';
import type { PlannedChart, SkippedChart } from './charts/chart-plan.ts';
import { fmtSig } from '../core/format-number.ts';
import { scopeSvgIds } from './render-svg.ts';
import { panelOf, type SweepView } from './sweep-view.ts';
import type { FindingsResult } from './findings/index.ts';
import { escapeHtml } from './escape-html.ts';
import { RUNS_TABLE_CSS, RUNS_TABLE_SCRIPT, renderRunsTable } from './runs-table.ts';

export { escapeHtml };

/** A chart with one rendered SVG per variant (same order as plan.variants). */
export interface RenderedChart {
  plan: PlannedChart;
  svgs: string[];
}

export interface ReportPage {
  data: ResultsData;
  view: SweepView;
  sections: (RenderedChart | SkippedChart)[];
  /** Shown under the charts, e.g. where the SVG/PNG copies are or why PNGs have no text. */
  notes: string[];
  /** The verdicts section (renderVerdictSection), '' when the directory has no verdicts. */
  verdicts?: string;
  /** Shown first, under the header. */
  findings?: FindingsResult;
}

/** The findings list: each sentence links to the chart it reads from; then what was left out and why. */
export function renderFindingsSection(f: FindingsResult, chartTitles: Map<string, string>): string {
  const items = f.findings.map((x) => {
    const link = `<a href="#${escapeHtml(x.chart)}">${escapeHtml(chartTitles.get(x.chart) ?? x.chart)}</a>`;
    const details = x.details.length ? `<ul>${x.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
    return `<li data-finding="${escapeHtml(x.id)}">${escapeHtml(x.text)} (chart: ${link})${details}</li>`;
  });
  const left = f.leftOut.length
    ? `<p class="left-out">Left out, because the data cannot support them:</p><ul class="left-out">${f.leftOut.map((l) => `<li data-left-out="${escapeHtml(l.id)}">${escapeHtml(l.topic)}: ${escapeHtml(l.why)}.</li>`).join('')}</ul>`
    : '';
  return `<section id="findings"><h2>Findings</h2>
<p>Computed from summary.csv: each sentence gives its estimate, a 95% interval and n; “not distinguishable” means the interval covers no difference.</p>
${items.length ? `<ol class="findings">${items.join('\n')}</ol>` : '<p>No finding: see below.</p>'}
${left}</section>`;
}


const CSS = `
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
figure{margin:0;overflow-x:auto}figcaption{color:#444;font-size:.92rem;max-width:70rem;margin-top:.4rem}
.x-switch{border:0;padding:0;margin:.3rem 0}.x-switch label{margin-right:1rem;cursor:pointer}
.skipped{background:#fff7e0;border-left:4px solid #e0a800;padding:.5rem .8rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.2rem .45rem;text-align:right;white-space:nowrap}
th{background:#f4f4f4}td.text,th.text{text-align:left}
.status-completed .status{color:#1a7f37}.status-diverged .status{color:#c62828;font-weight:600}.status-failed .status,.status-aborted .status{color:#8a6d00;font-weight:600}
.runs-wrap{overflow-x:auto}ol.findings li{margin:.35rem 0}ol.findings ul{margin:.2rem 0;font-size:.92rem}.left-out{color:#555;font-size:.92rem}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:.8rem}nav a{margin-right:.8rem}
`;

// Radio buttons show one x-axis variant of a figure and hide the others.
const SCRIPT = `
document.querySelectorAll('figure[data-chart]').forEach(function (fig) {
  fig.querySelectorAll('input[type=radio]').forEach(function (input) {
    input.addEventListener('change', function () {
      fig.querySelectorAll('[data-variant]').forEach(function (v) { v.hidden = v.getAttribute('data-variant') !== input.value; });
    });
  });
});
`;

function renderChart(c: RenderedChart, n: number): string {
  const { plan, svgs } = c;
  const multi = plan.variants.length > 1;
  const radios = multi
    ? `<fieldset class="x-switch"><legend>x axis:</legend>${plan.variants
        .map((v, i) => `<label><input type="radio" name="${plan.id}-x" value="${escapeHtml(v.name)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(v.label)}</label>`)
        .join('')}</fieldset>`
    : '';
  const bodies = plan.variants
    .map((v, i) => {
      const svg = scopeSvgIds(svgs[i]!, `${plan.id}${v.name ? `-${v.name}` : ''}`);
      return `<div class="variant" data-variant="${escapeHtml(v.name)}"${i > 0 ? ' hidden' : ''}>${svg}</div>`;
    })
    .join('\n');
  return `<section id="${plan.id}"><h2>${n}. ${escapeHtml(plan.title)}</h2>
<figure data-chart="${plan.id}">${radios}
${bodies}
<figcaption>${escapeHtml(plan.caption)}</figcaption></figure></section>`;
}

function renderSkipped(s: SkippedChart, n: number): string {
  return `<section id="${s.id}"><h2>${n}. ${escapeHtml(s.title)}</h2>
<p class="skipped" data-skipped="${s.id}">Not drawn: ${escapeHtml(s.why)}.</p></section>`;
}

function environmentTable(env: Record<string, unknown>): string {
  const rows = Object.entries(env)
    .map(([k, v]) => `<tr><th class="text">${escapeHtml(k)}</th><td class="text">${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('\n');
  return rows ? `<table data-table="environment">${rows}</table>` : '<p>No environment recorded in sweep.json.</p>';
}

export function renderReportHtml(page: ReportPage): string {
  const { data, view, sections, notes, verdicts = '', findings } = page;
  const count = (s: string) => data.runs.filter((r) => r.summary.status === s).length;
  const statusLine = ['completed', 'diverged', 'failed', 'aborted'].map((s) => `${count(s)} ${s}`).join(', ');
  const order = [...data.runs].sort((a, b) =>
    view.panels.indexOf(panelOf(a.summary, view.panelLeftOut)) - view.panels.indexOf(panelOf(b.summary, view.panelLeftOut)) ||
    a.summary.batchSize - b.summary.batchSize || a.summary.baseLr - b.summary.baseLr || a.summary.seed - b.summary.seed);
  const parts = sections.map((s, i) => ('plan' in s ? renderChart(s, i + 1) : renderSkipped(s, i + 1)));
  const ids = sections.map((s) => ('plan' in s ? s.plan : s));
  const name = escapeHtml(data.sweep.name);
  const findingsHtml = findings ? renderFindingsSection(findings, new Map(ids.map((s) => [s.id, s.title]))) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>batchlab report: ${name}</title><style>${CSS}${RUNS_TABLE_CSS}</style></head>
<body>
<header><h1>batchlab report: ${name}</h1>
<p>${data.runs.length} runs (${statusLine}); ${view.task}; ${view.batchSizes.length} batch size${view.batchSizes.length === 1 ? '' : 's'} (${view.batchSizes.join(', ')}); base LR ${view.baseLrs.map((x) => fmtSig(x)).join(', ')}; panels: ${view.panels.map(escapeHtml).join(', ')}.</p>
<nav>${findings ? '<a href="#findings">Findings</a>' : ''}${ids.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}<a href="#runs">Runs</a><a href="#environment">Environment</a></nav></header>
<main>
${findingsHtml}
${verdicts}
${parts.join('\n')}
<section id="runs"><h2>${sections.length + 1}. Runs</h2>
<p>One row per run from summary.csv; lr is the applied peak LR after the scaling rule; final metrics are the last evaluation. Click a column header to sort by it (again to reverse); the controls above the table filter the rows.</p>
${renderRunsTable(order, data.sweep.axes)}</section>
<section id="environment"><h2>Environment</h2>
${environmentTable(data.sweep.environment)}
<details><summary>Resolved sweep spec (sweep.json)</summary><pre>${escapeHtml(JSON.stringify(data.sweep.spec, null, 2))}</pre></details></section>
</main>
<footer><h2>About this report</h2>
<p>Charts are Vega-Lite specifications compiled to Vega and rendered to SVG in Node (vega's headless 'none' renderer): the specs are declarative data-to-mark mappings that are easy to review and test, and rendering needs no browser, canvas or network. Every chart is inline SVG, so this file works offline.</p>
${notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
</footer>
<script>${SCRIPT}${RUNS_TABLE_SCRIPT}</script>
</body></html>
`;
}
