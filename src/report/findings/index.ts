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

export type { Finding, FindingsResult, LeftOut } from './types.ts';

const FINDERS = [findBestLrGrowth, findStableLr, findAccuracyLost, findRuleWinner, findGenGap] as const;

/** `claimSteps`: a critical-batch claim's numbers, which the steps-to-target finding then states instead of its own. */
export function summarizeFindings(view: SweepView, claimSteps?: ClaimSteps): FindingsResult {
  const all = [...FINDERS.map((f) => f(view)), findStepsToTarget(view, claimSteps)];
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
