/** The log-spaced evaluation points of train.evalLogSpaced: which steps reach one. Pure. */
import { describe, expect, it } from 'vitest';
import { logSpacedEvalDue } from './eval-schedule.ts';

/** Steps (1-based) of a run at constant batch size `b` for `steps` steps that are evaluated. */
const evaluatedSteps = (perDoubling: number, fromExamples: number, b: number, steps: number) =>
  Array.from({ length: steps }, (_, i) => i + 1).filter((s) => logSpacedEvalDue({ perDoubling, fromExamples }, (s - 1) * b, s * b));

describe('logSpacedEvalDue', () => {
  it.each([
    // Points 512 x 2^(k/2): 512, 724, 1024, 1448, 2048, 2896, 4096, 5793, 8192, 11585.
    { b: 16, steps: 1000, want: [32, 46, 64, 91, 128, 182, 256, 363, 512, 725] },
    // Several points within one step count once; at B=1024 every step from 512 examples to 8192 is one.
    { b: 1024, steps: 14, want: [1, 2, 3, 4, 6, 8, 12] },
  ])('perDoubling 2 from 512 examples at B=$b', ({ b, steps, want }) => {
    expect(evaluatedSteps(2, 512, b, steps)).toEqual(want);
  });

  it('one point per doubling lands exactly on the powers of two (no rounding below them)', () => {
    expect(evaluatedSteps(1, 1, 1, 70)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    // 8 x 2^(k/3) = 8, 10.1, 12.7, 16, 20.2, 25.4, 32, 40.3, 50.8, 64, 80.6, 101.6, 128 examples, 8 a step.
    expect(evaluatedSteps(3, 8, 8, 16)).toEqual([1, 2, 3, 4, 6, 7, 8, 11, 13, 16]);
  });

  it('gives the same relative spacing at every batch size', () => {
    for (const b of [16, 64, 256]) {
      const examples = evaluatedSteps(4, 256, b, 20_000 / b).map((s) => s * b);
      const ratios = examples.slice(1).map((e, i) => e / examples[i]!);
      // 2^(1/4) = 1.19 apart, give or take one step of b examples.
      for (const r of ratios) expect(r).toBeGreaterThan(1.19 - (2 * b) / 256);
      expect(Math.max(...ratios)).toBeLessThan(1.19 + (2 * b) / 256);
    }
  });

  it('is not due before fromExamples', () => {
    expect(logSpacedEvalDue({ perDoubling: 2, fromExamples: 512 }, 0, 511)).toBe(false);
    expect(logSpacedEvalDue({ perDoubling: 2, fromExamples: 512 }, 500, 512)).toBe(true);
  });
});
