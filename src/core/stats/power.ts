/**
 * Power of the paired (one-sample) t test and the minimal detectable effect: how large a true
 * mean difference the design finds with the wanted power, given the spread seen across seeds.
 * It tells what an INCONCLUSIVE verdict could have missed.
 */
import { noncentralTCdf, tQuantile } from './distributions.ts';
import { InternalError } from '../../errors.ts';

function fail(path: string, message: string): never {
  throw new InternalError(`statistics: ${path}: ${message}`);
}

export interface PowerOptions {
  /** Two-sided significance level; default 0.05. */
  alpha?: number;
  /** Wanted power; default 0.8. */
  power?: number;
}

/**
 * Power of the two-sided one-sample t test at level `alpha` with `n` >= 2 values when the
 * true mean is `effect` standard deviations away from the null (both rejection tails count).
 */
export function pairedTPower(n: number, effect: number, alpha = 0.05): number {
  if (!Number.isInteger(n) || n < 2) fail('n', `expected an integer >= 2, got ${n}`);
  if (!(alpha > 0 && alpha < 1)) fail('alpha', `expected a number in (0, 1), got ${alpha}`);
  const df = n - 1;
  const c = tQuantile(1 - alpha / 2, df);
  const ncp = Math.abs(effect) * Math.sqrt(n);
  return 1 - noncentralTCdf(c, df, ncp) + noncentralTCdf(-c, df, ncp);
}

/**
 * Minimal detectable effect, in the units of `sd`: the true mean difference that a two-sided
 * paired t test at `alpha` (0.05) detects with probability `power` (0.8), with `n` paired
 * values whose standard deviation is `sd`. Solved on the exact noncentral-t
 * power (regula falsi to ~1e-10). NaN when n < 2 or sd is not finite; 0 when sd is 0.
 */
export function minimalDetectableEffect(sd: number, n: number, options: PowerOptions = {}): number {
  const { alpha = 0.05, power = 0.8 } = options;
  if (!(power > alpha && power < 1)) fail('power', `expected a number in (alpha, 1), got ${power}`);
  if (!Number.isInteger(n) || n < 2 || !Number.isFinite(sd)) return NaN;
  if (sd < 0) fail('sd', `expected a number >= 0, got ${sd}`);
  if (sd === 0) return 0;
  // Bracket the root, then regula falsi with the Illinois modification (superlinear; each
  // power evaluation is a numerical integral, so few of them matter).
  const f = (d: number) => pairedTPower(n, d, alpha) - power;
  let a = 0;
  let fa = f(a);
  let b = 1;
  let fb = f(b);
  while (fb < 0) {
    [a, fa] = [b, fb];
    b *= 2;
    if (b > 1e6) return Infinity;
    fb = f(b);
  }
  let side = 0;
  for (let it = 0; it < 100 && b - a > 1e-10 * b; it++) {
    const c = (a * fb - b * fa) / (fb - fa);
    const fc = f(c);
    if (fc === 0) return c * sd;
    if (fc > 0) {
      [b, fb] = [c, fc];
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      [a, fa] = [c, fc];
      if (side === 1) fb /= 2;
      side = 1;
    }
    if (Math.abs(fc) < 1e-12) break;
  }
  return ((a * fb - b * fa) / (fb - fa)) * sd;
}