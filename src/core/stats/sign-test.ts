/**
 * Distribution-free inference on the median of per-seed values: the exact sign test and the
 * order-statistic confidence interval of the median (the sign test inverted). Only the order
 * of the values matters, so a value that stands for "diverged" (imputed as the worst) and a
 * skewed or bimodal sample are handled without assuming a shape.
 */
import { fail, requireSamples } from './checks.ts';
import { quantile } from './descriptive.ts';

/** P(X <= k) for X ~ Binomial(n, 1/2), exact (sums of binomial coefficients / 2^n). */
export function binomialHalfCdf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) fail('n', `expected an integer >= 0, got ${n}`);
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = 2 ** -n; // C(n, 0) / 2^n
  let sum = term;
  for (let i = 1; i <= Math.floor(k); i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return Math.min(1, sum);
}

export interface SignTest {
  /** Values above and below mu; values equal to mu are dropped (they carry no sign). */
  above: number;
  below: number;
  ties: number;
  /** Two-sided exact p of H0: median = mu; 1 when every value ties. */
  p: number;
  /** One-sided p of H0: median <= mu (large when few values lie above). */
  pGreater: number;
  /** One-sided p of H0: median >= mu. */
  pLess: number;
}

/** Exact sign test of the median against `mu`. */
export function signTest(xs: readonly number[], mu = 0): SignTest {
  requireSamples(xs, 'xs');
  const above = xs.filter((x) => x > mu).length;
  const below = xs.filter((x) => x < mu).length;
  const n = above + below;
  if (n === 0) return { above, below, ties: xs.length, p: 1, pGreater: 1, pLess: 1 };
  const pGreater = 1 - binomialHalfCdf(above - 1, n); // P(X >= above)
  const pLess = binomialHalfCdf(above, n); // P(X <= above)
  return { above, below, ties: xs.length - n, p: Math.min(1, 2 * Math.min(pGreater, pLess)), pGreater, pLess };
}

export interface MedianCi {
  n: number;
  median: number;
  /** [x_(k), x_(n-k+1)] of the sorted values; NaN when n is too small for the level. */
  lo: number;
  hi: number;
  /** Exact coverage of [lo, hi]: 1 - 2 P(X <= k - 1), at least `level`. */
  coverage: number;
  /** The rank k of the lower bound (1-based); 0 when no interval reaches the level. */
  k: number;
}

/**
 * The order-statistic interval of the median: the largest k with 2 P(X <= k - 1) <= 1 - level,
 * X ~ Binomial(n, 1/2), gives [x_(k), x_(n-k+1)] with coverage >= level whatever the
 * distribution (continuous). At 95% it needs n >= 6; at 90%, n >= 5.
 */
export function medianCi(xs: readonly number[], level = 0.95): MedianCi {
  requireSamples(xs, 'xs');
  if (!(level > 0 && level < 1)) fail('level', `expected a number in (0, 1), got ${level}`);
  const n = xs.length;
  const sorted = [...xs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  let k = 0;
  while (k + 1 <= Math.floor((n + 1) / 2) && 2 * binomialHalfCdf(k, n) <= 1 - level) k++;
  if (k === 0) return { n, median, lo: NaN, hi: NaN, coverage: NaN, k: 0 };
  return { n, median, lo: sorted[k - 1]!, hi: sorted[n - k]!, coverage: 1 - 2 * binomialHalfCdf(k - 1, n), k };
}
