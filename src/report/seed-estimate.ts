/**
 * How a report names a claim verdict's estimate over seeds and its interval, in the verdict's own
 * terms (a median with an order-statistic interval when the per-seed values are skewed), so the
 * chart and the finding beside a claim describe the number the verdict gives. Pure.
 */
import { fmtSig } from '../core/format-number.ts';

/** A verdict's estimate over seeds, as the claim evaluator built it (core/claims Verdict). */
export interface SeedEstimate {
  lo: number;
  hi: number;
  level: number;
  /** 't' | 'bootstrap': the mean of the per-seed values; 'sign': their median; 'exact': every seed the same. */
  interval: string;
  n: number;
}

/** What the estimate is over the seeds' own `what` (e.g. "fit"): "the median of each seed's own fit". */
export function seedEstimateName(e: Pick<SeedEstimate, 'interval'>, what: string): string {
  if (e.interval === 'exact') return `the same ${what} in every seed`;
  return `the ${e.interval === 'sign' ? 'median' : 'mean'} of each seed's own ${what}`;
}

/** "95% order-statistic interval a to b over 10 seeds" (t: "95% CI"; BCa: "95% BCa bootstrap interval"). */
export function seedInterval(e: SeedEstimate, f: (x: number) => string = (x) => fmtSig(x, 3)): string {
  if (e.interval === 'exact') return `no interval: every one of ${e.n} seeds gives the same value`;
  if (!Number.isFinite(e.lo) || !Number.isFinite(e.hi)) return `no interval, ${e.n} seeds`;
  const kind = e.interval === 'sign' ? 'order-statistic interval' : e.interval === 'bootstrap' ? 'BCa bootstrap interval' : 'CI';
  return `${Math.round(e.level * 100)}% ${kind} ${f(e.lo)} to ${f(e.hi)} over ${e.n} seeds`;
}

