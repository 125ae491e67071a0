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
