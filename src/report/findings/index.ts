/**
 * The findings of a sweep, in the order the report and the terminal show them (HEADLINE_ORDER):
 * each a sentence with numbers, interval and n, computed from the summary (and curves, for steps
 * to a target), and a one-line headline for the terminal. Pure.
 */
import type { SweepView } from '../sweep-view.ts';
import { findAccuracyLost } from './accuracy-lost.ts';
import { findBestLrGrowth } from './best-lr.ts';
import { findGenGap } from './gen-gap.ts';
import { findRuleWinner } from './rule-winner.ts';
import { findStableLr } from './stable-lr.ts';
import { findStepsToTarget } from './steps-to-target.ts';
import type { Finding, FindingsResult } from './types.ts';
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
  return { findings: rankFindings(all.flatMap((r) => r.findings)), leftOut: all.flatMap((r) => r.leftOut) };
}

/**
 * The findings that answer a sweep's question (how the learning rate should follow the batch
 * size), by id prefix, in the order the terminal leads with them: the best LR's growth, which
 * scaling rule wins, and how far the LR can go before runs diverge; then the rest.
 */
export const HEADLINE_ORDER = ['best-lr', 'rule-winner', 'stable-lr', 'steps-to-target', 'accuracy-lost', 'gen-gap'] as const;

/** How many findings the terminal shows, one line each. */
export const TERMINAL_FINDINGS = 3;

/** The findings in HEADLINE_ORDER (stable within one prefix; unknown ids last). */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => {
    const i = HEADLINE_ORDER.findIndex((p) => f.id === p || f.id.startsWith(`${p}-`));
    return i < 0 ? HEADLINE_ORDER.length : i;
  };
  return [...findings].sort((a, b) => rank(a) - rank(b));
}

/**
 * Plain text for the terminal: the first TERMINAL_FINDINGS findings (summarizeFindings puts them
 * in HEADLINE_ORDER), one line each (their headlines), then where the rest are: the report's findings section, with every
 * sentence, interval, detail and what was left out and why.
 */
export function renderFindingsText(r: FindingsResult, reportPath?: string): string {
  const top = r.findings.slice(0, TERMINAL_FINDINGS);
  const where = reportPath ? `${reportPath}#findings` : 'the report';
  const lines: string[] = [top.length < r.findings.length
    ? `Findings (${top.length} of ${r.findings.length}; all of them with intervals and details in ${where}):`
    : `Findings (details in ${where}):`];
  top.forEach((f, i) => lines.push(`${i + 1}. ${f.headline}`));
  if (!r.findings.length) lines.push(`(none: the data support no finding; why is in ${where})`);
  if (r.leftOut.length) lines.push(`Left out, with reasons in the report: ${r.leftOut.map((l) => l.topic).join('; ')}.`);
  return lines.join('\n') + '\n';
}
