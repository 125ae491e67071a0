/**
 * batchlab's webgpu Sum and Mean over axes that leave the last one: which axes it takes (pure),
 * and on webgpu (a GPU or lavapipe) against the cpu backend on fresh random inputs: the CNN's
 * global average pool, dense bias gradients, leading and middle axes, keepDims, a reduction of
 * more than 64 values (the runs), one dispatch each, run to run bit-identity; tfjs's kernel for
 * what it does not take; no leaks. The webgpu part is skipped without a Vulkan adapter, failing
 * under BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sameBits } from '../../../test/support/kernel-on.ts';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { randn } from '../../../test/support/wasm-vs-cpu.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { MAX_MID, middleSplit } from './reduce-middle.ts';

const TOLERANCE = 1e-4;

describe('middleSplit', () => {
  it('splits around one contiguous block of axes that leaves the last axis', () => {
    expect(middleSplit([256, 7, 7, 32], [1, 2])).toEqual({ outer: 256, mid: 49, inner: 32 });
    expect(middleSplit([256, 10], [0])).toEqual({ outer: 1, mid: 256, inner: 10 });
    expect(middleSplit([2, 3, 4, 5], [1, 0])).toEqual({ outer: 1, mid: 6, inner: 20 });
  });

  it('leaves everything else to tfjs', () => {
    expect(middleSplit([4, 5], [1])).toBeNull();
    expect(middleSplit([2, 3, 4, 5], [0, 2])).toBeNull();
    expect(middleSplit([2, 3, 4], [1, 2])).toBeNull();
    expect(middleSplit([MAX_MID + 1, 3], [0])).toBeNull();
    expect(middleSplit([0, 3], [0])).toBeNull();
    expect(middleSplit([5], [0])).toBeNull();
  });
});

const { probe, skipWebgpu } = await probeWebgpuForTests();

type Op = 'sum' | 'mean';

async function reduceOn(backend: string, op: Op, shape: number[], values: Float32Array, axis: number[], keepDims: boolean) {
  await tf.setBackend(backend);
  const x = tf.tensor(values, shape);
  const y = op === 'sum' ? tf.sum(x, axis, keepDims) : tf.mean(x, axis, keepDims);
  const out = { shape: y.shape.slice(), values: Float32Array.from(await y.data()) };
  tf.dispose([x, y]);
  return out;
}

describe.skipIf(skipWebgpu)(`webgpu Sum and Mean over middle axes match cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  it.each([
    ['mean', [5, 7, 7, 32], [1, 2], false, 'BatchlabMeanMiddle'],
    ['sum', [256, 10], [0], false, 'BatchlabSumMiddle'],
    ['sum', [3, 300], [0], true, 'BatchlabSumMiddle'],
    ['mean', [4, 333, 5], [1], true, 'BatchlabMeanMiddle'],
    ['sum', [2, 3, 4, 5], [0, 1], false, 'BatchlabSumMiddle'],
    ['sum', [1, 1000, 3], [1], false, 'BatchlabSumMiddle'],
    ['mean', [3, 5000, 2], [1], false, 'ReduceProgram'],
    ['sum', [6, 7, 9], [2], false, 'ReduceProgram'],
    ['sum', [2, 3, 4, 5], [0, 2], false, 'ReduceProgram'],
  ] as const)('%s of %j over %j (keepDims %s) runs %s', async (op, shape, axis, keepDims, program) => {
    const values = randn(shape.reduce((a: number, b: number) => a * b, 1), 1, 2);
    const ref = await reduceOn('cpu', op, [...shape], values, [...axis], keepDims);
    const { result: got, counts } = await countDispatches(tf.findBackend('webgpu'), () => reduceOn('webgpu', op, [...shape], values, [...axis], keepDims));
    const again = await reduceOn('webgpu', op, [...shape], values, [...axis], keepDims);
    expect(got.shape).toEqual(ref.shape);
    expect(counts.byProgram.get(program)).toBe(1);
    if (program.startsWith('Batchlab')) expect(counts.dispatches).toBe(1);
    expect(relError(got.values, ref.values)).toBeLessThan(TOLERANCE);
    expect(sameBits(got.values, again.values)).toBe(true);
  });
});
