/**
 * InputConv2D against tf.layers.conv2d (the reference) with the same weights, on fresh random
 * inputs: outputs in training and inference calls, and the gradients of the kernel, the bias and
 * (when asked for) the input.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { initBackends, relError } from '../../test/support/wasm-vs-cpu.ts';
import { InputConv2D } from './input-conv2d.ts';
import { roundTrip, traceLayer } from '../../test/support/layer-trace.ts';

const TOLERANCE = 1e-5;

type Case = { backend: 'cpu' | 'wasm'; shape: [number, number, number, number]; k: number; strides: number; padding: 'same' | 'valid'; useBias: boolean };

describe('InputConv2D equals tf.layers.conv2d', () => {
  beforeAll(initBackends);
  useLeakCheck();

  it.each<Case>([
    { backend: 'cpu', shape: [3, 9, 9, 1], k: 3, strides: 1, padding: 'same', useBias: true },
    { backend: 'wasm', shape: [3, 9, 9, 1], k: 3, strides: 1, padding: 'same', useBias: false },
    { backend: 'wasm', shape: [2, 11, 10, 3], k: 3, strides: 2, padding: 'same', useBias: true },
    { backend: 'cpu', shape: [2, 8, 8, 2], k: 5, strides: 1, padding: 'valid', useBias: true },
  ])('$backend x $shape kernel $k stride $strides $padding bias $useBias', async (c) => {
    await tf.setBackend(c.backend);
    const args = { filters: 4, kernelSize: c.k, strides: c.strides, padding: c.padding, useBias: c.useBias };
    const ours = new InputConv2D(args);
    const ref = tf.layers.conv2d(args);
    const x = tf.randomNormal(c.shape) as tf.Tensor4D;
    const weights = [tf.randomNormal([c.k, c.k, c.shape[3], 4]), ...(c.useBias ? [tf.randomNormal([4])] : [])];
    const got = traceLayer(ours, x, weights);
    const want = traceLayer(ref, x, weights);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(relError(got[i], w)).toBeLessThan(TOLERANCE));
    expect(ours.computeOutputShape([null, ...c.shape.slice(1)])).toEqual(ref.computeOutputShape([null, ...c.shape.slice(1)]));
    tf.dispose([x, ...weights]);
  });

  it('survives a toJSON / modelFromJSON round trip', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [6, 6, 1] });
    const model = tf.model({ inputs: input, outputs: new InputConv2D({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }).apply(input) as tf.SymbolicTensor });
    const x = tf.randomNormal([2, 6, 6, 1]);
    const { restored, before, after } = await roundTrip(model, x);
    const layer = restored.getLayer('c') as InputConv2D;
    expect([layer.filters, layer.kernelSize, layer.strides, layer.padding, layer.useBias]).toEqual([2, 3, 2, 'same', true]);
    expect(relError(after, before)).toBe(0);
    x.dispose();
    model.dispose();
    restored.dispose();
  });
});
