/**
 * The report's verdicts section: one row per claim with its statistic, interval, seeds and
 * verdict, and the sentence saying why. Pure: verdicts -> an HTML fragment with its own
 * scoped styles (class names prefixed `verdict`), no scripts, no external resources.
 */
import { fmt } from '../core/format-number.ts';
import type { Verdict, VerdictLabel } from '../core/claims/types.ts';
import { intervalLabel, seedsCell } from './verdict-cells.ts';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CLASS: Record<VerdictLabel, string> = {
  SUPPORTED: 'verdict-supported',
  'NOT SUPPORTED': 'verdict-not-supported',
  INCONCLUSIVE: 'verdict-inconclusive',
};

const STYLE = `<style>
.verdicts td.verdict-label{font-weight:600;white-space:nowrap}
.verdicts .verdict-supported td.verdict-label{color:#1a7f37}
.verdicts .verdict-not-supported td.verdict-label{color:#c62828}
.verdicts .verdict-inconclusive td.verdict-label{color:#8a6d00}
.verdicts td.verdict-reason{text-align:left;white-space:normal;max-width:40rem}
</style>`;

/** A number a verdict written by an older batchlab may lack: '—' then. */
const opt = (x: number | undefined) => (x === undefined || x === null || Number.isNaN(x) ? '—' : fmt(x));

function row(v: Verdict): string {
  const interval = v.interval === 'exact' ? `none: identical in all ${v.n} seeds` : `${intervalLabel(v)}: ${fmt(v.lo)} to ${fmt(v.hi)}`;
  const cells = [
    `<td class="text" title="${esc(v.statement)}">${esc(v.claimId)}</td>`,
    `<td class="text">${esc(v.kind)}</td>`,
    `<td class="text">${esc(v.metric)}</td>`,
    `<td>${esc(fmt(v.estimate))}</td>`,
    `<td>${esc(interval)}</td>`,
    `<td>${esc(seedsCell(v))}</td>`,
    `<td>${esc(opt(v.mde))}</td>`,
    `<td>${esc(opt(v.p))} (${esc(opt(v.pHolm))})</td>`,
    `<td class="text">${esc(v.expect)}</td>`,
    `<td class="verdict-label">${esc(v.verdict)}</td>`,
    `<td class="verdict-reason">${esc(v.reason)}</td>`,
  ];
  return `<tr class="${CLASS[v.verdict]}" data-claim="${esc(v.claimId)}">${cells.join('')}</tr>`;
}

/** The section, or '' when there are no verdicts (the report then has no verdicts section). */
export function renderVerdictSection(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return '';
  const head = ['claim', 'test', 'metric', 'estimate', 'interval', 'seeds', 'MDE (80% power)', 'p (Holm)', 'claimed', 'verdict', 'why']
    .map((h, i) => `<th${[0, 1, 2, 8, 10].includes(i) ? ' class="text"' : ''}>${h}</th>`).join('');
  const statements = verdicts.map((v) => `<li><b>${esc(v.claimId)}</b>: ${esc(v.statement)}</li>`).join('');
  return `<section id="verdicts" class="verdicts">${STYLE}
<h2>Verdicts</h2>
<ul class="verdict-statements">${statements}</ul>
<table><thead><tr>${head}</tr></thead>
<tbody>${verdicts.map(row).join('\n')}</tbody></table>
<p class="verdict-rule">SUPPORTED when the interval lies entirely on the claimed side of the threshold (inside the band or margin), NOT SUPPORTED when it lies entirely on the other side, INCONCLUSIVE otherwise or with fewer paired seeds than the claim's minSeeds. MDE: the effect a paired t test at alpha 0.05 would detect with 80% power given the seed spread. p: the t test behind the verdict; Holm: adjusted over the claims of this spec.</p>
</section>`;
}
