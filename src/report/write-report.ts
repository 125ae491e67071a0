/**
 * `batchlab report`: reads a results directory, renders every chart, and writes report.html
 * plus charts/<id>[-<variant>].{svg,png}. The I/O shell around the pure renderers in report/:
 * the files are read and written through results/layout.ts.
 */
import { access } from 'node:fs/promises';
import type { PlannedChart, SkippedChart } from './charts/chart-plan.ts';
import { planReport } from './plan-report.ts';
import { renderReportHtml, type RenderedChart } from './render-html.ts';
import { renderPng, type PngFonts } from './render-png.ts';
import { renderSvg } from './render-svg.ts';
import { readResultsDir } from '../results/read-results.ts';
import { makeChartsDir, readVerdictsJson, resultsPaths, writeChartFile, writeReportHtml } from '../results/layout.ts';
import { renderVerdictSection } from './verdict-section.ts';
import type { Verdict } from '../core/claims/types.ts';
import type { FindingsResult } from './findings/index.ts';

/** The verdicts (and resolved claims) `batchlab verify` wrote: none when it has not run here; an unreadable file is a warning. */
async function readVerdicts(dir: string, warnings: string[]): Promise<{ verdicts: Verdict[]; claims: unknown[] }> {
  const file = resultsPaths(dir).verdictsJson;
  if (!(await readable(file))) return { verdicts: [], claims: [] };
  try {
    const { raw } = await readVerdictsJson(dir);
    const saved = raw as { verdicts?: Verdict[]; claims?: unknown[] } | null;
    return { verdicts: saved?.verdicts ?? [], claims: Array.isArray(saved?.claims) ? saved.claims : [] };
  } catch (err) {
    warnings.push(`${file} could not be read (${(err as Error).message}); the report has no verdicts section. Rerun batchlab verify.`);
    return { verdicts: [], claims: [] };
  }
}

/** Debian package whose fonts the PNGs use for text; without any font the PNGs have no text. */
export const FONT_PACKAGE = 'fonts-dejavu-core';
const FONT_CANDIDATES = [
  { family: 'DejaVu Sans', files: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'] },
  { family: 'Liberation Sans', files: ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'] },
];

const readable = (p: string) => access(p).then(() => true, () => false);

/** The first known sans-serif font present on this machine, or null (PNG text will be missing). */
export async function findPngFonts(): Promise<PngFonts | null> {
  for (const c of FONT_CANDIDATES) {
    const present = [];
    for (const f of c.files) if (await readable(f)) present.push(f);
    if (present.length) return { fontFiles: present, sansSerifFamily: c.family, loadSystemFonts: false };
  }
  return null;
}

export interface ReportOutput {
  /** Path of the written report.html. */
  html: string;
  /** Paths of every chart file written (SVG and PNG). */
  charts: string[];
  skipped: { chart: string; why: string }[];
  /** Rendering warnings from vega and font problems; not fatal. */
  warnings: string[];
  /** The findings shown at the top of the report. */
  findings: FindingsResult;
}

export interface ReportOptions {
  /** Fonts for PNG text; default: found by findPngFonts(). null = none (text-less PNGs). */
  fonts?: PngFonts | null;
}

/**
 * Writes `<outFile>` (default `<resultsDir>/report.html`) and `<dir of outFile>/charts/`.
 * Throws UsageError when the results directory is missing or malformed.
 */
export async function writeReport(resultsDir: string, outFile?: string, opts: ReportOptions = {}): Promise<ReportOutput> {
  const data = await readResultsDir(resultsDir);
  const warnings: string[] = [];
  const saved = await readVerdicts(resultsDir, warnings);
  const savedVerdicts = saved.verdicts;
  const { view, charts, findings } = planReport(data, savedVerdicts, saved.claims);
  const html = outFile ?? resultsPaths(resultsDir).reportHtml;
  const chartsDir = await makeChartsDir(html);
  const fonts = opts.fonts !== undefined ? opts.fonts : await findPngFonts();
  const notes = ['Each chart is also saved as SVG and PNG under charts/ beside this file.'];
  if (!fonts) {
    const msg = `No font found for PNG text (install the Debian package ${FONT_PACKAGE}); the PNG copies have no text. The SVGs here are unaffected.`;
    warnings.push(msg);
    notes.push(msg);
  }
  const written: string[] = [];
  const sections: (RenderedChart | SkippedChart)[] = [];
  for (const plan of charts) {
    if (plan.kind === 'skipped') {
      sections.push(plan);
      continue;
    }
    sections.push(await renderChartFiles(plan, chartsDir, fonts, written, warnings));
  }
  const verdicts = renderVerdictSection(savedVerdicts);
  await writeReportHtml(html, renderReportHtml({ data, view, sections, notes, verdicts, findings }));
  const skipped = charts.filter((c): c is SkippedChart => c.kind === 'skipped').map((c) => ({ chart: c.id, why: c.why }));
  return { html, charts: written, skipped, warnings, findings };
}

async function renderChartFiles(plan: PlannedChart, dir: string, fonts: PngFonts | null, written: string[], warnings: string[]): Promise<RenderedChart> {
  const svgs: string[] = [];
  for (const v of plan.variants) {
    const { svg, warnings: w } = await renderSvg(v.spec);
    warnings.push(...w.map((m) => `${plan.id}${v.name ? `/${v.name}` : ''}: ${m}`));
    const name = v.name ? `${plan.id}-${v.name}` : plan.id;
    written.push(
      await writeChartFile(dir, `${name}.svg`, svg),
      await writeChartFile(dir, `${name}.png`, renderPng(svg, fonts ?? { fontFiles: [], loadSystemFonts: false })),
    );
    svgs.push(svg);
  }
  return { plan, svgs };
}
