import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.ts';
import {
  TOLERANCE, compareWithCpu, convGradsError, initBackends, normal, relError, runOn, shapeOf, type Input, type Shape4,
} from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

type Case = [xShape: number[], k: [number, number], cout: number, stride: number, pad: 'same' | 'valid'];

const CASES: Case[] = [
  [[2, 7, 9, 3], [3, 3], 4, 1, 'same'],
  [[2, 7, 9, 3], [3, 3], 4, 2, 'same'],
  [[2, 8, 8, 3], [3, 3], 5, 2, 'valid'],
  [[3, 11, 10, 2], [5, 3], 3, 2, 'valid'],
  [[1, 6, 5, 1], [2, 2], 1, 1, 'same'],
  [[2, 9, 9, 4], [3, 3], 6, 3, 'same'],
  [[4, 5, 5, 2], [1, 1], 3, 1, 'valid'],
];

describe('conv2d gradients on wasm match cpu', () => {
  useLeakCheck();
  it.each(CASES)('x %j filter %j cout %i stride %i %s', async (xShape, [kh, kw], cout, stride, pad) => {
    const err = await convGradsError((x, w) => tf.conv2d(x, w, stride, pad), xShape, [kh, kw, xShape[3], cout]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('handles NCHW and explicit padding at the kernel level', async () => {
    const xShape = [2, 3, 7, 6]; // NCHW
    const filterShape = [3, 3, 3, 4];
    const pad = [[0, 0], [0, 0], [2, 1], [0, 1]] as tf.backend_util.ExplicitPadding;
    const attrs = { strides: [2, 1], pad, dataFormat: 'NCHW', filterShape };
    const dyShape = [2, 4, 4, 5]; // OH = floor((7+3-3)/2)+1 = 4, OW = 6+1-3+1 = 5
    const inputs: Input[] = [normal(xShape), normal(dyShape), normal(filterShape)];
    const err = await compareWithCpu(inputs, (x, dy, w) => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
    ]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  // Each filter-gradient route (patch matrix in batch chunks, dilated convolution) on its own.
  it.each([
    ['patch matrix, one chunk', { maxPatchRows: Infinity }],
    ['patch matrix, one image at a time', { maxPatchRows: Infinity, maxPatchFloats: 1 }],
    ['dilated convolution', { maxPatchRows: 0 }],
  ])('filter gradient by %s matches cpu', async (_, opts) => {
    for (const [stride, pad] of [[1, 'same'], [2, 'valid'], [2, 'same']] as const) {
      const xShape = [5, 8, 9, 3];
      const filterShape: Shape4 = [3, 3, 3, 4];
      const attrs = { strides: stride, pad, filterShape, dataFormat: 'NHWC' as const };
      const dyShape = shapeOf(() =>
        tf.conv2d(tf.zeros(xShape as Shape4) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, stride, pad),
      );
      const inputs: Input[] = [normal(xShape), normal(dyShape)];
      const ref = await runOn('cpu', inputs, (x, dy) =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor);
      const got = await runOn('wasm', inputs, (x, dy) =>
        conv2dBackpropFilter(x as tf.Tensor4D, dy as tf.Tensor4D, attrs, tf.backend(), opts));
      expect(got.shapes).toEqual(ref.shapes);
      expect(relError(got.values[0], ref.values[0])).toBeLessThan(TOLERANCE);
    }
  });
});
