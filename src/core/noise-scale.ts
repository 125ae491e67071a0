/**
 * The two-batch estimator of the gradient noise scale B_simple = tr(Sigma) / |G|^2
 * (McCandlish et al. 2018), from squared norms of mean-loss gradients measured at two batch
 * sizes. Pure arithmetic: the gradients themselves are measured in train/grad-stats.ts.
 */
import { type Issue, UsageError } from '../errors.ts';

/** Validated as in the config; `ema` in [0, 1) weights the past (0 = no averaging). */
export interface NoiseScaleOptions {
  smallBatch: number;
  bigBatch: number;
  ema?: number;
}

export interface NoiseScaleEstimate {
  /** |G|^2, moving average of the unbiased two-batch estimates (squared gradient units). */
  gradNormSq: number;
  /** tr(Sigma) of the per-example gradients, moving average (squared gradient units). */
  traceSigma: number;
  /** B_simple = traceSigma / gradNormSq, in examples; NaN while the |G|^2 average is not positive. */
  noiseScale: number;
}

/**
 * The two-batch estimator. From |G_small|^2 and |G_big|^2 measured at batch sizes b < B:
 *   |G|^2     ~ (B |G_big|^2 - b |G_small|^2) / (B - b)
 *   tr(Sigma) ~ (|G_small|^2 - |G_big|^2) / (1/b - 1/B)
 * Each is unbiased for a single pair but noisy (either can be negative), so the two are averaged
 * separately and only then divided: a ratio of averages, not an average of ratios.
 * Averages are exponential with bias correction, so the first update returns the raw estimates.
 */
export class NoiseScaleEstimator {
  private readonly small: number;
  private readonly big: number;
  private readonly ema: number;
  private avgG = 0;
  private avgTrace = 0;
  private weight = 0;

  constructor(opts: NoiseScaleOptions) {
    const ema = opts.ema ?? 0.9;
    const issues: Issue[] = [];
    if (!(Number.isInteger(opts.smallBatch) && opts.smallBatch > 0)) {
      issues.push({ path: 'smallBatch', message: `expected a positive integer, got ${opts.smallBatch}` });
    }
    if (!(Number.isInteger(opts.bigBatch) && opts.bigBatch > opts.smallBatch)) {
      issues.push({ path: 'bigBatch', message: `expected an integer above smallBatch (${opts.smallBatch}), got ${opts.bigBatch}` });
    }
    if (!(ema >= 0 && ema < 1)) issues.push({ path: 'ema', message: `expected a number in [0, 1), got ${ema}` });
    if (issues.length > 0) throw new UsageError('invalid noise scale estimator settings', issues);
    this.small = opts.smallBatch;
    this.big = opts.bigBatch;
    this.ema = ema;
  }

  /** Unbiased single-pair estimates of |G|^2 and tr(Sigma), without averaging (pure). */
  estimatePair(gSmallSq: number, gBigSq: number): { gradNormSq: number; traceSigma: number } {
    const b = this.small;
    const B = this.big;
    return {
      gradNormSq: (B * gBigSq - b * gSmallSq) / (B - b),
      traceSigma: (gSmallSq - gBigSq) / (1 / b - 1 / B),
    };
  }

  /** Folds in one measurement: |g|^2 of a mean-loss gradient over smallBatch and over bigBatch examples. */
  /** The moving averages, for a checkpoint. */
  snapshot(): NoiseScaleAverages {
    return { avgG: this.avgG, avgTrace: this.avgTrace, weight: this.weight };
  }

  restore(a: NoiseScaleAverages): void {
    Object.assign(this, { avgG: a.avgG, avgTrace: a.avgTrace, weight: a.weight });
  }

  update(gSmallSq: number, gBigSq: number): NoiseScaleEstimate {
    const pair = this.estimatePair(gSmallSq, gBigSq);
    this.avgG = this.ema * this.avgG + (1 - this.ema) * pair.gradNormSq;
    this.avgTrace = this.ema * this.avgTrace + (1 - this.ema) * pair.traceSigma;
    this.weight = this.ema * this.weight + (1 - this.ema);
    const gradNormSq = this.avgG / this.weight;
    const traceSigma = this.avgTrace / this.weight;
    return { gradNormSq, traceSigma, noiseScale: gradNormSq > 0 ? traceSigma / gradNormSq : NaN };
  }
}

export interface NoiseScaleAverages {
  avgG: number;
  avgTrace: number;
  weight: number;
}
