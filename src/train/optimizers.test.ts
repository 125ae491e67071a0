/**
 * The optimizers against float64 closed forms (PyTorch's update rules) on a fixed sequence of
 * random gradients and a changing LR:
 *   SGD:  v = m v + g;  w -= lr v;  Nesterov: w -= lr (g + m v)
 *   Adam: m = b1 m + (1-b1) g;  s = b2 s + (1-b2) g^2;  w -= lr (m / c1) / (sqrt(s / c2) + eps)
 * with L2 weight decay added to the gradient of rank >= 2 variables only.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { OptimizerSpec } from '../config/schema.ts';
import { mulberry32, normalSampler } from '../core/prng.ts';
import { createOptimizer } from './optimizers.ts';

const SHAPES = [[3, 4], [4]]; // a kernel (decayed) and a bias (never decayed)
const LRS = [0.1, 0.05, 0.2, 0.01, 0.3, 0.07];
const TOL = 1e-6; // absolute, on weights of order 1 after six float32 updates

type Host = Float64Array[];

/** Float32-representable N(0, 1) draws, so both sides start from identical numbers. */
function draws(seed: number, shapes: number[][]): Host {
  const normal = normalSampler(mulberry32(seed));
  return shapes.map((s) => Float64Array.from(new Float32Array(s.reduce((a, b) => a * b, 1)).map(() => normal())));
}

/** One float64 update of every variable in place; `state` holds the optimizer's slots. */
type Reference = (w: Host, g: Host, lr: number, t: number, state: Host[]) => void;

function decayedRef(spec: OptimizerSpec, w: Float64Array, g: Float64Array, rank: number): Float64Array {
  return spec.weightDecay > 0 && rank >= 2 ? g.map((x, j) => x + spec.weightDecay * w[j]) : g;
}

function sgdRef(spec: Extract<OptimizerSpec, { name: 'sgd' }>): Reference {
  return (w, grads, lr, _t, state) => {
    w.forEach((wi, i) => {
      const g = decayedRef(spec, wi, grads[i], SHAPES[i].length);
      if (spec.momentum === 0) {
        wi.forEach((_, j) => { wi[j] -= lr * g[j]; });
        return;
      }
      const v = (state[0] ??= SHAPES.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1))))[i];
      wi.forEach((_, j) => {
        v[j] = spec.momentum * v[j] + g[j];
        wi[j] -= lr * (spec.nesterov ? g[j] + spec.momentum * v[j] : v[j]);
      });
    });
  };
}

function adamRef(spec: Extract<OptimizerSpec, { name: 'adam' }>): Reference {
  return (w, grads, lr, t, state) => {
    const zeros = () => SHAPES.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
    const m = (state[0] ??= zeros());
    const s = (state[1] ??= zeros());
    const c1 = 1 - spec.beta1 ** t;
    const c2 = 1 - spec.beta2 ** t;
    w.forEach((wi, i) => {
      const g = decayedRef(spec, wi, grads[i], SHAPES[i].length);
      wi.forEach((_, j) => {
        m[i][j] = spec.beta1 * m[i][j] + (1 - spec.beta1) * g[j];
        s[i][j] = spec.beta2 * s[i][j] + (1 - spec.beta2) * g[j] * g[j];
        wi[j] -= (lr * (m[i][j] / c1)) / (Math.sqrt(s[i][j] / c2) + spec.epsilon);
      });
    });
  };
}

/** Runs the optimizer and the reference side by side; returns both final weights. */
function runBoth(spec: OptimizerSpec, seed: number): { got: Float32Array[]; want: Host } {
  const init = draws(seed, SHAPES);
  // tidy frees the initial values; variables outlive it.
  const vars = tf.tidy(() => init.map((w, i) => tf.variable(tf.tensor(Float32Array.from(w), SHAPES[i]))));
  const opt = createOptimizer(spec, vars);
  const want = init.map((w) => Float64Array.from(w));
  const state: Host[] = [];
  const ref = refFor(spec);
  LRS.forEach((lr, step) => {
    const g = draws(seed + 100 + step, SHAPES);
    const gt = g.map((x, i) => tf.tensor(Float32Array.from(x), SHAPES[i]));
    const lrT = tf.scalar(lr);
    opt.apply(gt, lrT);
    tf.dispose([...gt, lrT]);
    ref(want, g, lr, step + 1, state);
  });
  const got = vars.map((v) => v.dataSync() as Float32Array);
  opt.dispose();
  vars.forEach((v) => v.dispose());
  return { got, want };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const sgd = (o: Partial<Extract<OptimizerSpec, { name: 'sgd' }>>): Extract<OptimizerSpec, { name: 'sgd' }> =>
  ({ name: 'sgd', momentum: 0, nesterov: false, weightDecay: 0, ...o });
const adam = (o: Partial<Extract<OptimizerSpec, { name: 'adam' }>>): Extract<OptimizerSpec, { name: 'adam' }> =>
  ({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, ...o });

const refFor = (s: OptimizerSpec): Reference => (s.name === 'sgd' ? sgdRef(s) : adamRef(s));

const CASES: { label: string; spec: OptimizerSpec }[] = [
  { label: 'plain SGD', spec: sgd({}) },
  { label: 'SGD momentum 0.9', spec: sgd({ momentum: 0.9 }) },
  { label: 'SGD Nesterov 0.9', spec: sgd({ momentum: 0.9, nesterov: true }) },
  { label: 'SGD momentum + weight decay', spec: sgd({ momentum: 0.5, weightDecay: 0.3 }) },
  { label: 'Adam', spec: adam({}) },
  // A large epsilon makes its placement (outside the square root, after bias correction) visible.
  { label: 'Adam eps 0.1, betas 0.5/0.7', spec: adam({ beta1: 0.5, beta2: 0.7, epsilon: 0.1 }) },
  { label: 'Adam + weight decay', spec: adam({ weightDecay: 0.2 }) },
];

describe('createOptimizer vs closed-form updates', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  for (const [n, c] of CASES.entries()) {
    it(`${c.label} matches within ${TOL}`, () => {
      const { got, want } = runBoth(c.spec, 7 + n);
      got.forEach((g, i) => expect(maxAbsDiff(g, want[i])).toBeLessThan(TOL));
    });
  }

  it('the cases are told apart: each reference differs from plain SGD by far more than the tolerance', () => {
    const plain = runBoth(sgd({}), 3).want;
    for (const c of CASES.slice(1)) {
      const other = runBoth(c.spec, 3).want;
      expect(maxAbsDiff(other[0], plain[0])).toBeGreaterThan(1e-3);
    }
  });

  it('weight decay touches only rank >= 2 variables', () => {
    for (const [plain, decayed] of [
      [sgd({ momentum: 0.9 }), sgd({ momentum: 0.9, weightDecay: 0.5 })],
      [adam({}), adam({ weightDecay: 0.5 })],
    ] as const) {
      const a = runBoth(plain, 11).got;
      const b = runBoth(decayed, 11).got;
      expect(maxAbsDiff(a[0], b[0])).toBeGreaterThan(1e-3); // kernel decayed
      expect(Array.from(b[1])).toEqual(Array.from(a[1])); // bias bit-identical
    }
  });
});
