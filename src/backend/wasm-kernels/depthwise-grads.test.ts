import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import {
  TOLERANCE, convGradsError, initBackends, normal, relError, runOn, type Input,
} from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

type Case = [xShape: number[], k: [number, number], multiplier: number, stride: number, pad: 'same' | 'valid'];

const CASES: Case[] = [
  [[2, 7, 9, 3], [3, 3], 1, 1, 'same'],
  [[2, 7, 9, 3], [3, 3], 2, 2, 'same'],
  [[2, 8, 8, 3], [3, 3], 1, 2, 'valid'],
  [[1, 11, 10, 2], [5, 3], 3, 2, 'valid'],
  [[3, 5, 6, 1], [2, 2], 1, 1, 'same'],
];

describe('depthwiseConv2d gradients on wasm match cpu', () => {
  useLeakCheck();
  it.each(CASES)('x %j filter %j multiplier %i stride %i %s', async (xShape, [kh, kw], m, stride, pad) => {
    const err = await convGradsError((x, w) => tf.depthwiseConv2d(x, w, stride, pad), xShape, [kh, kw, xShape[3], m]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('supports dilation at the kernel level', async () => {
    // The cpu kernels ignore dilation in these gradients, so the reference is the cpu gradient
    // of an undilated conv whose filter has the dilation's zeros written in.
    const [dh, dw] = [2, 3];
    const xShape = [2, 9, 8, 2];
    const filterShape = [3, 2, 2, 2];
    const dyShape = [2, 9, 8, 4];
    const inputs: Input[] = [normal(xShape), normal(dyShape), normal(filterShape)];
    const attrs = { strides: 1, pad: 'same', dilations: [dh, dw] };
    const got = await runOn('wasm', inputs, (x, dy, w) => [
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape } as never) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
    ]);
    const ref = await runOn('cpu', inputs, (x, dy, w) => {
      const [kh, kw, c, m] = filterShape;
      const spread = tf.reshape(
        tf.pad(tf.reshape(w, [kh, 1, kw, 1, c, m]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]),
        [kh * dh, kw * dw, c, m],
      );
      const wd = tf.slice(spread, 0, [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m]) as tf.Tensor4D;
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'),
      )([x, wd], dy);
      return [tf.stridedSlice(gw, [0, 0, 0, 0], gw.shape, [dh, dw, 1, 1]), gx];
    });
    expect(relError(got.values[0], ref.values[0])).toBeLessThan(TOLERANCE);
    expect(relError(got.values[1], ref.values[1])).toBeLessThan(TOLERANCE);
  });
});
