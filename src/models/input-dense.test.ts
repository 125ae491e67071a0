/**
 * InputDense against tf.layers.dense (the reference) with the same weights, on fresh random
 * inputs: outputs in training and inference calls, and the gradients of the kernel, the bias and
 * (when asked for) the input.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { initBackends, relError } from '../../test/support/wasm-vs-cpu.ts';
import { InputDense } from './input-dense.ts';
import { roundTrip, traceLayer } from '../../test/support/layer-trace.ts';

const TOLERANCE = 1e-5;

describe('InputDense equals tf.layers.dense', () => {
  beforeAll(initBackends);
  useLeakCheck();

  it.each([
    ['cpu', 7, 13, 5, true],
    ['wasm', 33, 20, 9, true],
    ['wasm', 4, 6, 3, false],
  ] as const)('%s: batch %i, %i features -> %i units, bias %s', async (backend, batch, features, units, useBias) => {
    await tf.setBackend(backend);
    const ours = new InputDense({ units, useBias });
    const ref = tf.layers.dense({ units, useBias });
    const x = tf.randomNormal([batch, features]) as tf.Tensor2D;
    const weights = [tf.randomNormal([features, units]), ...(useBias ? [tf.randomNormal([units])] : [])];
    const got = traceLayer(ours, x, weights);
    const want = traceLayer(ref, x, weights);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(relError(got[i], w)).toBeLessThan(TOLERANCE));
    expect(ours.computeOutputShape([null, features])).toEqual([null, units]);
    tf.dispose([x, ...weights]);
  });

  it('survives a toJSON / modelFromJSON round trip', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [5] });
    const model = tf.model({ inputs: input, outputs: new InputDense({ units: 3, useBias: false, name: 'd' }).apply(input) as tf.SymbolicTensor });
    const x = tf.randomNormal([4, 5]);
    const { restored, before, after } = await roundTrip(model, x);
    const layer = restored.getLayer('d') as InputDense;
    expect([layer.units, layer.useBias]).toEqual([3, false]);
    expect(relError(after, before)).toBe(0);
    x.dispose();
    model.dispose();
    restored.dispose();
  });
});
