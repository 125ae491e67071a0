import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { TOLERANCE, compareWithCpu, initBackends, normal } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

const COMBOS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

describe('transposed matMul on wasm matches cpu', () => {
  useLeakCheck();
  it.each(COMBOS)('transposeA %s transposeB %s, 2-D', async (ta, tb) => {
    const [m, k, n] = [37, 53, 29];
    const a = normal(ta ? [k, m] : [m, k]);
    const b = normal(tb ? [n, k] : [k, n]);
    expect(await compareWithCpu([a, b], (x, y) => tf.matMul(x, y, ta, tb))).toBeLessThan(TOLERANCE);
  });

  it.each(COMBOS)('transposeA %s transposeB %s, rank 3 with batch 1 and batch 3', async (ta, tb) => {
    for (const batch of [1, 3]) {
      const a = normal(ta ? [batch, 6, 5] : [batch, 5, 6]);
      const b = normal(tb ? [batch, 4, 6] : [batch, 6, 4]);
      const err = await compareWithCpu([a, b], (x, y) => tf.matMul(x, y, ta, tb));
      expect(err).toBeLessThan(TOLERANCE);
    }
  });

  it('gives a Dense layer the same gradients as cpu', async () => {
    const err = await compareWithCpu([normal([16, 78]), normal([78, 25]), normal([16, 25])], (x, w, dy) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b))([x, w], dy),
    );
    expect(err).toBeLessThan(TOLERANCE);
  });
});
