/**
 * The native SGD update (BatchlabSgdUpdate, run by train/optimizers.ts on `native`) against the
 * optimizer's op chain on tfjs's cpu backend, over several steps on fresh random weights and
 * gradients (odd sizes, with and without momentum, Nesterov, weight decay): max |native - cpu| /
 * max |cpu| < 1e-4 per variable and velocity. Its in-place writes never reach an array that was
 * read out or viewed. The seed is new each run and printed in every failure message.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectReadOutArraysKept, itIsNativeOnly, loadNativeForTests, useNativeSuite } from '../../../test/support/native-suite.ts';
import type { OptimizerSpec } from '../../config/schema.ts';
import { createOptimizer } from '../../train/optimizers.ts';
import { SGD_UPDATE } from '../kernel-names.ts';
import { NATIVE } from './kernels.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { mulberry32 } from '../../core/prng.ts';

const { load, skipNative } = loadNativeForTests();
const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const SHAPES = [[37, 23], [23], [5, 3, 3, 7], [1]];
const STEPS = 4;


function normals(random: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return out;
}

/** STEPS updates of fresh variables on `backend`; the weights after each step, per variable. */
async function train(backend: string, spec: OptimizerSpec, seed: number): Promise<Float32Array[][]> {
  await tf.setBackend(backend);
  const random = mulberry32(seed);
  const vars = tf.tidy(() => SHAPES.map((s) => tf.variable(tf.tensor(normals(random, s.reduce((a, b) => a * b, 1)), s))));
  const optimizer = createOptimizer(spec, vars);
  const lr = tf.scalar(0.05 + random() * 0.1);
  const history: Float32Array[][] = [];
  for (let step = 0; step < STEPS; step++) {
    const grads = SHAPES.map((s) => tf.tensor(normals(random, s.reduce((a, b) => a * b, 1)), s));
    optimizer.apply(grads, lr);
    tf.dispose(grads);
    history.push(vars.map((v) => Float32Array.from(v.dataSync())));
  }
  optimizer.dispose();
  tf.dispose([...vars, lr]);
  return history;
}


type SgdSpec = Extract<OptimizerSpec, { name: 'sgd' }>;

const SPECS: [string, SgdSpec][] = [
  ['momentum 0.9', { name: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 }],
  ['Nesterov, weight decay', { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 }],
  ['plain SGD, weight decay', { name: 'sgd', momentum: 0, nesterov: false, weightDecay: 5e-4 }],
];

describe.skipIf(skipNative)('native SGD update', () => {
  useNativeSuite(load);

  itIsNativeOnly(SGD_UPDATE);

  it.each(SPECS)('matches the op chain on cpu over %s steps (%s)', async (_label, spec) => {
    const seed = SEED ^ spec.momentum * 10 ^ (spec.nesterov ? 7 : 0);
    const want = await train('cpu', spec, seed);
    const got = await train(NATIVE, spec, seed);
    for (let step = 0; step < STEPS; step++) {
      SHAPES.forEach((s, i) => {
        expect(relError(got[step][i], want[step][i]), `step ${step} variable ${s.join('x')} (seed ${SEED})`).toBeLessThan(1e-4);
      });
    }
  });

  it('is deterministic: the same inputs give the same bits', async () => {
    const a = await train(NATIVE, SPECS[1][1], SEED);
    const b = await train(NATIVE, SPECS[1][1], SEED);
    expect(b).toEqual(a);
  });

  it('never rewrites an array that was read out, and keeps the tensor count flat', () => expectReadOutArraysKept(SPECS[0][1], SEED));

  it('never rewrites an array a slice kernel viewed, though nothing was read out', async () => {
    // The view's values after two updates, from the same steps on the cpu backend (nothing on
    // native is read before the view is taken, so only the view protection can keep them).
    const twoSteps = async (backend: string, viewThenMore: boolean): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const w = tf.tidy(() => tf.variable(tf.randomNormal([9, 4], 0, 1, 'float32', SEED % 1000)));
      const optimizer = createOptimizer(SPECS[0][1], [w]);
      const lr = tf.scalar(0.1);
      const g = tf.ones([9, 4]);
      optimizer.apply([g], lr);
      optimizer.apply([g], lr);
      const view = tf.slice(w, [0, 0], [3, 4]);
      if (viewThenMore) for (let i = 0; i < 3; i++) optimizer.apply([g], lr);
      const values = Float32Array.from(view.dataSync());
      optimizer.dispose();
      tf.dispose([w, lr, g, view]);
      return values;
    };
    const want = await twoSteps('cpu', false);
    const got = await twoSteps(NATIVE, true);
    expect(relError(got, want)).toBeLessThan(1e-6);
  });
});
