/**
 * The claims table of the README: one Markdown row per verdict of each results directory,
 * with the estimate, its interval, n, the minimal detectable effect, p (Holm) and the verdict.
 * Pure: saved verdicts -> text. Accuracy-type metrics read as percentage points.
 */
import { fmt } from '../core/format-number.ts';
import type { Claim, Verdict } from '../core/claims/types.ts';
import { displayScale } from '../core/claims/build-verdict.ts';
import { intervalLabel, seedsCell } from './verdict-cells.ts';

export interface ClaimsTableInput {
  /** The results directory as it should be linked, e.g. results/claims/c6-lr-scaling-rule. */
  dir: string;
  claims: readonly Claim[];
  verdicts: readonly Verdict[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const has = (x: number | undefined | null): x is number => typeof x === 'number' && !Number.isNaN(x);

/** Differences (paired, interaction, equivalence) are in the metric's units, points for fractions; trend statistics have their own. */
function isDifference(v: Verdict): boolean {
  return v.kind === 'paired-difference' || v.kind === 'interaction' || v.kind === 'equivalence';
}

function row(dir: string, v: Verdict, claim: Claim | undefined): string {
  const { scale, unit } = claim && isDifference(v) ? displayScale(claim) : { scale: 1, unit: '' };
  const u = unit ? ` ${unit}` : '';
  const interval = has(v.lo) && has(v.hi)
    ? ` [${fmt(v.lo * scale)}, ${fmt(v.hi * scale)}]${u} (${intervalLabel(v)})`
    : `${u} (no interval)`;
  const n = seedsCell(v);
  const mde = has(v.mde) ? `${fmt(v.mde * scale)}${u}` : '—';
  const p = has(v.p) ? `${fmt(v.p)} (${has(v.pHolm) ? fmt(v.pHolm) : '—'})` : '—';
  const name = dir.split('/').filter(Boolean).pop() ?? dir;
  return `| ${[
    cell(v.claimId), cell(v.statement), cell(`${v.statistic} of ${v.metric}`), cell(`${fmt(v.estimate * scale, true)}${interval}`),
    n, cell(mde), p, v.verdict, `[${cell(name)}](${dir})`,
  ].join(' | ')} |`;
}

export const CLAIMS_TABLE_HEADER = [
  '| claim | statement | statistic | estimate [interval] | n | MDE (80% power) | p (Holm) | verdict | results |',
  '|---|---|---|---|---|---|---|---|---|',
];

/** The table (header and one row per verdict, in the order given). */
export function renderClaimsTable(inputs: readonly ClaimsTableInput[]): string {
  const rows = inputs.flatMap(({ dir, claims, verdicts }) => verdicts.map((v) => row(dir, v, claims.find((c) => c.id === v.claimId))));
  return [...CLAIMS_TABLE_HEADER, ...rows].join('\n');
}
