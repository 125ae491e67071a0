import { describe, expect, it } from 'vitest';
import {
  insideBandP,
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
  oneSampleT,
  tost,
} from './index.ts';
import { InternalError } from '../../errors.ts';

// Reference values marked "scipy" were computed with scipy 1.17 / numpy 2.4
// (stats.t.interval, stats.t.cdf, stats.t.ppf, stats.spearmanr, stats.linregress, np.quantile).

describe('summaries', () => {
  it('mean and sample std of a textbook set', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(std(xs)).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(std([3])).toBeNaN();
    expect(() => mean([])).toThrow(InternalError);
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
    expect(() => quantile([1, 2], 1.5)).toThrow(InternalError);
  });
});

describe('t intervals and tests', () => {
  it.each([
    ['textbook set', [2, 4, 4, 4, 5, 5, 7, 9], 3.21251208176379, 6.787487918236209],
    ["Student's sleep data", [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4], 0.7001142367230175, 2.459885763276982],
  ])('95%% CI of the mean: %s (scipy)', (_label, xs, lo, hi) => {
    const ci = meanCi(xs);
    expect(ci.lo).toBeCloseTo(lo, 10);
    expect(ci.hi).toBeCloseTo(hi, 10);
  });

  it('90% CI of the mean (scipy: stats.t.interval(0.9, 9, loc=mean, scale=sem))', () => {
    const ci = meanCi([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4], 0.9);
    expect(ci.lo).toBeCloseTo(0.8669947329707162, 10);
    expect(ci.hi).toBeCloseTo(2.2930052670292835, 10);
  });

  it("one-sample t test of Student's sleep data (scipy: stats.ttest_1samp(x, 1.0))", () => {
    const r = oneSampleT([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4], 1.0);
    expect(r.t).toBeCloseTo(1.4911607951655574, 12);
    expect(r.p).toBeCloseTo(0.1701117708974229, 12);
    expect(r.df).toBe(9);
    const zero = oneSampleT([0.5, 0.5, 0.5], 0);
    expect(zero.p).toBe(0);
    expect(oneSampleT([0.5, 0.5], 0.5).p).toBe(1);
    expect(() => oneSampleT([1])).toThrow(InternalError);
  });

  it('p < 0.05 exactly when the t interval is clear of the threshold or inside the band', () => {
    const xs = [0.31, 0.12, 0.44, 0.25, 0.08, 0.37];
    const ci = meanCi(xs);
    for (const mu of [ci.lo - 1e-6, ci.lo + 1e-6, ci.hi - 1e-6, ci.hi + 1e-6]) {
      expect(oneSampleT(xs, mu).p < 0.05).toBe(mu < ci.lo || mu > ci.hi);
    }
    expect(insideBandP(xs, ci.lo - 1e-6, ci.hi + 1e-6)).toBeLessThan(0.05);
    expect(insideBandP(xs, ci.lo + 1e-6, ci.hi + 1e-6)).toBeGreaterThan(0.05);
    expect(insideBandP(xs, ci.lo - 1e-6, ci.hi - 1e-6)).toBeGreaterThan(0.05);
  });

  it('CI of one value is NaN-bounded', () => {
    expect(meanCi([4])).toEqual({ n: 1, mean: 4, std: NaN, lo: NaN, hi: NaN });
  });
});

describe('paired differences', () => {
  it('subtracts pairwise and rejects unequal lengths', () => {
    expect(pairedDifferences([3, 5, 1], [1, 1, 2])).toEqual([2, 4, -1]);
    expect(() => pairedDifferences([1], [1, 2])).toThrow(InternalError);
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
    expect(() => linearFit([1, 1], [2, 3])).toThrow(InternalError);
    expect(() => linearFit([1], [2])).toThrow(InternalError);
    expect(() => logLogSlope([1, 0], [1, 2])).toThrow(InternalError);
    expect(() => logLogSlope([1, 2], [1, -2])).toThrow(InternalError);
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
    expect(r.lo).toBeCloseTo(-0.0726766773862346, 10);
    expect(r.hi).toBeCloseTo(0.08517667738623458, 10);
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
    expect(() => tost([1], 1)).toThrow(InternalError);
    expect(() => tost([1, 2], 0)).toThrow(InternalError);
  });
});
