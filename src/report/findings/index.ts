/**
 * The findings of a sweep, in the order the report shows them: each a sentence with numbers,
 * interval and n, computed from the summary (and curves, for steps to a target). Pure.
 */
import type { SweepView } from '../sweep-view.ts';
import { findAccuracyLost } from './accuracy-lost.ts';
import { findBestLrGrowth } from './best-lr.ts';
import { findGenGap } from './gen-gap.ts';
import { findRuleWinner } from './rule-winner.ts';
import { findStableLr } from './stable-lr.ts';
import { findStepsToTarget } from './steps-to-target.ts';
import type { FindingsResult } from './types.ts';
import type { ClaimSteps } from '../charts/steps-to-target.ts';
import type { ClaimBestLr } from './claim-best-lr.ts';

export type { Finding, FindingsResult, LeftOut } from './types.ts';

const FINDERS = [findStableLr, findAccuracyLost, findRuleWinner, findGenGap] as const;

/**
 * `claims`: what verify saved for this sweep. A critical-batch claim's numbers replace the
 * steps-to-target finding's own; a tuned-slope claim's replace the best-LR finding of the family
 * it covers.
 */
export function summarizeFindings(view: SweepView, claims: { steps?: ClaimSteps; bestLr?: readonly ClaimBestLr[] } = {}): FindingsResult {
  const all = [findBestLrGrowth(view, claims.bestLr), ...FINDERS.map((f) => f(view)), findStepsToTarget(view, claims.steps)];
  return { findings: all.flatMap((r) => r.findings), leftOut: all.flatMap((r) => r.leftOut) };
}

/** Plain text for the terminal: one numbered finding a paragraph, details indented, then what was left out. */
export function renderFindingsText(r: FindingsResult, reportPath?: string): string {
  const lines: string[] = ['Findings:'];
  r.findings.forEach((f, i) => {
    lines.push(`${i + 1}. ${f.text}${reportPath ? ` [${reportPath}#${f.chart}]` : ''}`);
    for (const d of f.details) lines.push(`   - ${d}`);
  });
  if (!r.findings.length) lines.push('(none: see below)');
  if (r.leftOut.length) {
    lines.push('Left out:');
    for (const l of r.leftOut) lines.push(`- ${l.topic}: ${l.why}.`);
  }
  return lines.join('\n') + '\n';
}
