/**
 * The cells every rendering of a verdict shares (verify's table, the README claims table, the
 * report's verdicts section), so the three cannot label the same verdict differently. Pure.
 */
import type { Verdict } from '../core/claims/types.ts';

/**
 * How the interval was made: 't', 'BCa bootstrap', or 'percentile bootstrap' for a bootstrap
 * verdict written before the MDE existed (batchlab then used the percentile interval).
 */
export function intervalMethod(v: Verdict): string {
  if (v.interval === 't') return 't';
  if (v.interval === 'sign') return 'order-statistic (sign test)';
  if (v.interval === 'exact') return 'exact';
  return 'mde' in v ? 'BCa bootstrap' : 'percentile bootstrap';
}

/** '95% t', '95% BCa bootstrap', ... */
export function intervalLabel(v: Verdict): string {
  return `${Math.round(v.level * 100)}% ${intervalMethod(v)}`;
}

/** The seeds behind a verdict: '5', or '3 (< 5)' when fewer than the claim's minimum (absent in old verdicts). */
export function seedsCell(v: Verdict): string {
  const min = v.minSeeds;
  return typeof min === 'number' && !Number.isNaN(min) && v.n < min ? `${v.n} (< ${min})` : String(v.n);
}

/** The procedure rule's note in verdicts.json details (absent for t and the bootstrap). */
function procedureOf(v: Verdict): { why?: string; counts?: string } {
  const p = (v.details as { procedure?: { why?: string; counts?: string } } | undefined)?.procedure;
  return p ?? {};
}

/** Seeds whose value stands for a diverged run (metric.diverged), 0 when none. */
export function imputedSeeds(v: Verdict): number {
  const n = (v.details as { imputedSeeds?: unknown } | undefined)?.imputedSeeds;
  return typeof n === 'number' ? n : 0;
}

/**
 * The estimate with its interval, as every table shows it: '+4.2 [3.7, 4.8] points (95% t)';
 * '-1760, identical in all 10 seeds'; 'median +0.14 [0.11, 0.2] (95% order-statistic (sign test))';
 * with imputed values only the sign counts. `show` formats in display units.
 */
export function estimateCell(v: Verdict, show: (x: number, signed?: boolean) => string, u: string): string {
  const ok = (x: number) => typeof x === 'number' && !Number.isNaN(x);
  if (v.interval === 'exact') return `${show(v.estimate, true)}${u}, identical in all ${v.n} seeds`;
  if (v.interval === 'sign' && imputedSeeds(v) > 0) {
    return `sign test: ${procedureOf(v).counts ?? 'counts'} (${imputedSeeds(v)} of ${v.n} seeds imputed for diverged runs)`;
  }
  const est = `${v.interval === 'sign' ? 'median ' : ''}${show(v.estimate, true)}`;
  return ok(v.lo) && ok(v.hi) ? `${est} [${show(v.lo)}, ${show(v.hi)}]${u} (${intervalLabel(v)})` : `${est}${u} (no interval)`;
}
