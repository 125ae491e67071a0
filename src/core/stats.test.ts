import { describe, expect, it } from 'vitest';
import {
  T_95,
  T_975,
  bootstrapCi,
  fitCriticalBatch,
  linearFit,
  logLogSlope,
  mean,
  meanCi,
  pairedDifferences,
  pearson,
  quantile,
  ranks,
  spearman,
  std,
  studentTCdf,
  tQuantile,
  tost,
} from './stats.ts';
import { mulberry32, normalSampler } from './prng.ts';
import { UsageError } from '../errors.ts';

// Reference values marked "scipy" were computed with scipy 1.17 / numpy 2.4
// (stats.t.interval, stats.t.cdf, stats.t.ppf, stats.spearmanr, stats.linregress, np.quantile).

describe('summaries', () => {
  it('mean and sample std of a textbook set', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(std(xs)).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(std([3])).toBeNaN();
    expect(() => mean([])).toThrow(UsageError);
  });

  it.each([
    [0, 1],
    [0.1, 1],
    [0.25, 1.75],
    [0.5, 3.5],
    [0.9, 6.9],
    [1, 9],
  ])('quantile %d of [3,1,4,1,5,9,2,6] (numpy)', (q, expected) => {
    expect(quantile([3, 1, 4, 1, 5, 9, 2, 6], q)).toBeCloseTo(expected, 12);
  });

  it('rejects q outside [0, 1]', () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(UsageError);
  });
});

describe('Student t', () => {
  it('tables agree with the exact CDF to their 3 decimals', () => {
    for (let df = 1; df <= 30; df++) {
      expect(Math.abs(studentTCdf(T_975[df - 1], df) - 0.975)).toBeLessThan(2e-5 + 5e-4 * tDensity(T_975[df - 1], df));
      expect(Math.abs(studentTCdf(T_95[df - 1], df) - 0.95)).toBeLessThan(2e-5 + 5e-4 * tDensity(T_95[df - 1], df));
    }
  });

  it.each([
    [31, 2.039513446396408, 1.6955187825458649],
    [40, 2.021075390306273, 1.683851013335652],
    [60, 2.0002978220142604, 1.6706488649046363],
    [120, 1.9799304050824402, 1.6576508993552352],
    [1000, 1.9623390808264083, 1.6463788172854643],
  ])('quantiles beyond the table, df %d (scipy)', (df, q975, q95) => {
    expect(tQuantile(df, 0.975)).toBeCloseTo(q975, 5);
    expect(tQuantile(df, 0.95)).toBeCloseTo(q95, 5);
  });

  it.each([
    [0, 5, 0.5],
    [0.5, 3, 0.6742760175759245],
    [-1.7, 7, 0.0664644483912776],
    [2.5, 4.5, 0.9700471567488997],
    [10, 50, 0.9999999999999196],
    [-3, 1, 0.10241638234956672],
  ])('cdf(%d, df %d) (scipy)', (t, df, expected) => {
    expect(studentTCdf(t, df)).toBeCloseTo(expected, 10);
  });

  it('cdf matches the closed forms for df 1 (Cauchy) and df 2', () => {
    for (const t of [-20, -2, -0.3, 0.7, 4, 50]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it.each([
    ['textbook set', [2, 4, 4, 4, 5, 5, 7, 9], 3.21251208176379, 6.787487918236209],
    ["Student's sleep data", [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4], 0.7001142367230175, 2.459885763276982],
  ])('95%% CI of the mean: %s (scipy)', (_label, xs, lo, hi) => {
    const ci = meanCi(xs);
    expect(ci.lo).toBeCloseTo(lo, 3);
    expect(ci.hi).toBeCloseTo(hi, 3);
  });

  it('CI of one value is NaN-bounded', () => {
    expect(meanCi([4])).toEqual({ n: 1, mean: 4, std: NaN, lo: NaN, hi: NaN });
  });
});

describe('bootstrapCi', () => {
  const draw = normalSampler(mulberry32(11));
  const samples = Array.from({ length: 40 }, () => 3 + 2 * draw());

  it('is deterministic for a seed, changes with the seed, and brackets the estimate', () => {
    const a = bootstrapCi(samples, mean, { seed: 1 });
    expect(bootstrapCi(samples, mean, { seed: 1 })).toEqual(a);
    expect(bootstrapCi(samples, mean, { seed: 2 }).lo).not.toBe(a.lo);
    expect(a.estimate).toBe(mean(samples));
    expect(a.lo).toBeLessThan(a.estimate);
    expect(a.hi).toBeGreaterThan(a.estimate);
  });

  it('for the mean of normal data, is close to the t interval', () => {
    const boot = bootstrapCi(samples, mean, { seed: 3, iterations: 4000 });
    const t = meanCi(samples);
    const width = t.hi - t.lo;
    // Percentile bootstrap runs slightly narrow at n = 40 (its se uses n, not n - 1); 15% slack.
    expect(Math.abs(boot.lo - t.lo)).toBeLessThan(0.15 * width);
    expect(Math.abs(boot.hi - t.hi)).toBeLessThan(0.15 * width);
  });

  it('narrows with the level and resamples whole rows', () => {
    const wide = bootstrapCi(samples, mean, { seed: 5, level: 0.99 });
    const narrow = bootstrapCi(samples, mean, { seed: 5, level: 0.5 });
    expect(wide.hi - wide.lo).toBeGreaterThan(narrow.hi - narrow.lo);
    // Pairs: the statistic sees intact (a, b) rows, so a constant difference has a zero-width interval.
    const pairs = samples.map((a) => ({ a, b: a - 0.25 }));
    const ci = bootstrapCi(pairs, (rows) => mean(rows.map((r) => r.a - r.b)), { seed: 5 });
    expect(ci.lo).toBeCloseTo(0.25, 12);
    expect(ci.hi).toBeCloseTo(0.25, 12);
  });

  it('rejects empty samples and bad options', () => {
    expect(() => bootstrapCi([], mean)).toThrow(UsageError);
    expect(() => bootstrapCi([1], mean, { iterations: 0 })).toThrow(UsageError);
    expect(() => bootstrapCi([1], mean, { level: 1 })).toThrow(UsageError);
  });
});

describe('paired differences', () => {
  it('subtracts pairwise and rejects unequal lengths', () => {
    expect(pairedDifferences([3, 5, 1], [1, 1, 2])).toEqual([2, 4, -1]);
    expect(() => pairedDifferences([1], [1, 2])).toThrow(UsageError);
  });
});

describe('fits and correlation', () => {
  it.each([
    ['variance ~ 1/B', -1, 7],
    ['linear LR scaling', 1, 0.1],
    ['sqrt LR scaling', 0.5, 0.1],
  ])('logLogSlope recovers the exponent of an exact power law: %s', (_label, exponent, scale) => {
    const xs = [1, 2, 8, 32, 256, 4096];
    const fit = logLogSlope(
      xs,
      xs.map((x) => scale * x ** exponent),
    );
    expect(fit.slope).toBeCloseTo(exponent, 12);
    expect(fit.intercept).toBeCloseTo(Math.log(scale), 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.slopeSe).toBeCloseTo(0, 6);
  });

  it('logLogSlope on noisy data (scipy linregress)', () => {
    const fit = logLogSlope([1, 2, 4, 8, 16], [3.1, 1.4, 0.8, 0.37, 0.2]);
    expect(fit.slope).toBeCloseTo(-0.9828222272089766, 12);
    expect(fit.intercept).toBeCloseTo(1.0906890337671233, 12);
    expect(fit.r2).toBeCloseTo(0.9974926411751779, 12);
    expect(fit.slopeSe).toBeCloseTo(0.028449047936933557, 12);
  });

  it('fits need distinct xs and positive values on logs', () => {
    expect(() => linearFit([1, 1], [2, 3])).toThrow(UsageError);
    expect(() => linearFit([1], [2])).toThrow(UsageError);
    expect(() => logLogSlope([1, 0], [1, 2])).toThrow(UsageError);
    expect(() => logLogSlope([1, 2], [1, -2])).toThrow(UsageError);
  });

  it.each([
    ['increasing, nonlinear', [1, 2, 3, 4, 5], [1, 8, 27, 64, 125], 1],
    ['decreasing', [1, 2, 3, 4], [10, 5, 2, 1], -1],
    ['with ties (scipy)', [1, 2, 2, 3, 4], [10, 30, 20, 20, 50], 0.7631578947368421],
  ])('spearman: %s', (_label, xs, ys, rho) => {
    expect(spearman(xs, ys)).toBeCloseTo(rho, 12);
  });

  it('ranks average ties; pearson is NaN for a constant side', () => {
    expect(ranks([10, 30, 20, 20, 50])).toEqual([1, 4, 2.5, 2.5, 5]);
    expect(pearson([1, 2, 3], [4, 4, 4])).toBeNaN();
  });

  it.each([
    [1000, 500],
    [250, 3000],
    [12, 64],
  ])('fitCriticalBatch recovers S_min = %d, B_noise = %d exactly', (sMin, bNoise) => {
    const bs = [2, 8, 32, 128, 1024, 8192];
    const fit = fitCriticalBatch(
      bs,
      bs.map((b) => sMin * (1 + bNoise / b)),
    );
    expect(fit.sMin).toBeCloseTo(sMin, 8);
    expect(fit.bNoise / bNoise).toBeCloseTo(1, 10);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('fitCriticalBatch reports no B_noise when the fit has no positive plateau', () => {
    // Steps falling faster than 1/B extrapolate to a negative S_min.
    const fit = fitCriticalBatch([1, 2, 4], [995, 495, 245]);
    expect(fit.sMin).toBeCloseTo(-5, 10);
    expect(fit.bNoise).toBeNaN();
  });
});

describe('tost', () => {
  it('matches two one-sided t tests (scipy)', () => {
    const r = tost([0.1, -0.2, 0.05, 0.15, -0.05, 0.0, 0.1, -0.1], 0.2);
    expect(r.mean).toBeCloseTo(0.00625, 14);
    expect(r.pLower).toBeCloseTo(0.0008272959957287274, 10);
    expect(r.pUpper).toBeCloseTo(0.0011697936843715507, 10);
    expect(r.lo).toBeCloseTo(-0.0726766773862346, 4);
    expect(r.hi).toBeCloseTo(0.08517667738623458, 4);
    expect(r.equivalent).toBe(true);
  });

  it.each([
    ['small spread, small margin', [0.1, -0.2, 0.05, 0.15, -0.05, 0.0, 0.1, -0.1], 0.05, false],
    ['shifted beyond the margin', [1.1, 0.9, 1.0, 1.05], 0.5, false],
    ['zero spread inside', [0.1, 0.1, 0.1], 0.2, true],
    ['zero spread outside', [0.3, 0.3], 0.2, false],
  ])('%s', (_label, diffs, margin, equivalent) => {
    const r = tost(diffs, margin);
    expect(r.equivalent).toBe(equivalent);
    expect(r.p < 0.05).toBe(equivalent);
  });

  it('needs two differences and a positive margin', () => {
    expect(() => tost([1], 1)).toThrow(UsageError);
    expect(() => tost([1, 2], 0)).toThrow(UsageError);
  });
});

/** Density of Student's t, to turn a rounding error in t into one in probability. */
function tDensity(t: number, df: number): number {
  const lg = (x: number) => {
    // Stirling is plenty for a tolerance.
    let acc = 0;
    while (x < 10) acc -= Math.log(x++);
    return acc + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
  };
  return Math.exp(lg((df + 1) / 2) - lg(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log(1 + (t * t) / df));
}
