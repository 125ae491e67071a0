/**
 * The claims table of the README: one Markdown row per verdict of each results directory,
 * with the estimate, its interval, n, the minimal detectable effect, p (Holm) and the verdict.
 * Pure: saved verdicts -> text. Accuracy-type metrics read as percentage points.
 */
import { fmt } from '../core/format-number.ts';
import type { Claim, Verdict } from '../core/claims/types.ts';
import { displayScale } from '../core/claims/build-verdict.ts';
import { estimateCell, seedsCell } from './verdict-cells.ts';
import { adjustFamily, familyHeader, familySize, labelAfterFamily, type FamilyScope } from '../core/claims/family.ts';
import { describeProvenance, type Provenance } from '../core/provenance.ts';

export interface ClaimsTableInput {
  /** The results directory as it should be linked, e.g. results/claims/c6-lr-scaling-rule. */
  dir: string;
  claims: readonly Claim[];
  verdicts: readonly Verdict[];
  /** The commits and tree state of the runs (absent in verdicts written before it was recorded). */
  provenance?: Provenance;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const has = (x: number | undefined | null): x is number => typeof x === 'number' && !Number.isNaN(x);

/** Differences (paired, interaction, equivalence) are in the metric's units, points for fractions; trend statistics have their own. */
function isDifference(v: Verdict): boolean {
  return v.kind === 'paired-difference' || v.kind === 'interaction' || v.kind === 'equivalence';
}

function row(dir: string, v: Verdict, claim: Claim | undefined, pAdjusted: number, provenance: Provenance | undefined): string {
  const { scale, unit } = claim && isDifference(v) ? displayScale(claim) : { scale: 1, unit: '' };
  const u = unit ? ` ${unit}` : '';
  const show = (x: number, signed = false) => fmt(x * scale, signed);
  const n = seedsCell(v);
  const mde = has(v.mde) ? `${fmt(v.mde * scale)}${u}` : '—';
  const p = has(v.p) ? `${fmt(v.p)} (${has(pAdjusted) ? fmt(pAdjusted) : '—'})` : '—';
  const name = dir.split('/').filter(Boolean).pop() ?? dir;
  const tree = provenance ? ` (${cell(describeProvenance(provenance))})` : '';
  return `| ${[
    cell(v.claimId), cell(v.statement), cell(`${v.statistic} of ${v.metric}`), cell(estimateCell(v, show, u)),
    n, cell(mde), p, labelAfterFamily(v, pAdjusted), `[${cell(name)}](${dir})${tree}`,
  ].join(' | ')} |`;
}

/** The header, naming the family the adjusted p belongs to. */
export function claimsTableHeader(pColumn: string): string[] {
  return [
    `| claim | statement | statistic | estimate [interval] | n | MDE (80% power) | ${pColumn} | verdict | results (code) |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
}

/**
 * The table (header and one row per verdict, in the order given). p is adjusted by Holm over
 * every test in the table (`scope` 'all') or within each spec ('spec'), and the header says which.
 */
export function renderClaimsTable(inputs: readonly ClaimsTableInput[], scope: FamilyScope = 'all'): string {
  const groups = inputs.map((i) => i.verdicts);
  const adjusted = adjustFamily(groups, scope);
  const rows = inputs.flatMap(({ dir, claims, verdicts, provenance }, g) =>
    verdicts.map((v, i) => row(dir, v, claims.find((c) => c.id === v.claimId), adjusted[g]![i]!, provenance)));
  return [...claimsTableHeader(familyHeader(scope, familySize(groups))), ...rows].join('\n');
}
