import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { NoiseScaleEstimator } from './noise-scale.ts';

describe('NoiseScaleEstimator', () => {
  // If |G_b|^2 = |G|^2 + tr(Sigma)/b exactly (its expectation under i.i.d. sampling), the
  // estimator must return |G|^2 and tr(Sigma) exactly, whatever the averaging.
  it.each([
    { small: 8, big: 256, G: 0.5, T: 40, ema: 0.9 },
    { small: 1, big: 2, G: 3, T: 0.25, ema: 0 },
    { small: 32, big: 512, G: 1e-4, T: 0.9, ema: 0.99 },
  ])('recovers |G|^2=$G and tr(Sigma)=$T from exact expectations (b=$small, B=$big)', ({ small, big, G, T, ema }) => {
    const est = new NoiseScaleEstimator({ smallBatch: small, bigBatch: big, ema });
    for (let i = 0; i < 3; i++) {
      const out = est.update(G + T / small, G + T / big);
      expect(out.gradNormSq).toBeCloseTo(G, 10);
      expect(out.traceSigma / T).toBeCloseTo(1, 10);
      expect(out.noiseScale / (T / G)).toBeCloseTo(1, 8);
    }
  });

  it('averages |G|^2 and tr(Sigma) separately with bias-corrected EMA, then divides', () => {
    const est = new NoiseScaleEstimator({ smallBatch: 1, bigBatch: 2, ema: 0.5 });
    // Pair (s, b): |G|^2 = 2b - s, tr = (s - b) / (1 - 1/2) = 2(s - b).
    const first = est.update(3, 2); // G 1, T 2
    expect(first).toEqual({ gradNormSq: 1, traceSigma: 2, noiseScale: 2 });
    const second = est.update(10, 4); // G -2, T 12
    // Weights 0.25 (old) and 0.5 (new), normalised by 0.75.
    expect(second.gradNormSq).toBeCloseTo((0.25 * 1 + 0.5 * -2) / 0.75, 12);
    expect(second.traceSigma).toBeCloseTo((0.25 * 2 + 0.5 * 12) / 0.75, 12);
    expect(second.noiseScale).toBeNaN(); // the |G|^2 average is negative
  });

  it('rejects a big batch that is not bigger, and ema outside [0, 1)', () => {
    expect(() => new NoiseScaleEstimator({ smallBatch: 8, bigBatch: 8 })).toThrow(UsageError);
    expect(() => new NoiseScaleEstimator({ smallBatch: 8, bigBatch: 16, ema: 1 })).toThrow(UsageError);
  });
});
