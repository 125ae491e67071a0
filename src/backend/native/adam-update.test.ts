/**
 * The native Adam update (BatchlabAdamUpdate, run by train/optimizers.ts on `native`) against two
 * independent references over several steps (bias corrections change every step) on fresh random
 * weights and gradients, odd sizes, with and without weight decay:
 * - the optimizer's op chain on tfjs's cpu backend: max |native - cpu| / max |cpu| < 1e-4 for each
 *   variable's update (w_t - w_{t-1}) and both moments;
 * - torch.optim.Adam (Debian python3-torch) on the same weights, gradients and hyperparameters,
 *   same bound.
 * Its in-place writes never reach an array that was read out. The seed is new each run and
 * printed in every failure message.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectReadOutArraysKept, itIsNativeOnly, loadNativeForTests, useNativeSuite } from '../../../test/support/native-suite.ts';
import { hasModule, PYTHON } from '../../../test/support/numpy.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { requireSystem } from '../../../test/support/require-system.ts';
import { useTempDir } from '../../../test/support/temp-dir.ts';
import type { OptimizerSpec } from '../../config/schema.ts';
import { createRng, normals } from '../../core/prng.ts';
import { createOptimizer } from '../../train/optimizers.ts';
import { ADAM_UPDATE } from '../kernel-names.ts';
import { NATIVE } from './kernels.ts';

const { load, skipNative } = loadNativeForTests();
const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const SHAPES = [[37, 23], [23], [5, 3, 3, 7], [1]];
const STEPS = 5;

type AdamSpec = Extract<OptimizerSpec, { name: 'adam' }>;

const SPECS: [string, AdamSpec][] = [
  ['defaults', { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }],
  ['weight decay, other betas', { name: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 1e-2 }],
];

/** Fresh inputs of one check: initial weights, the gradients of every step, the learning rate. */
interface Inputs {
  w0: Float32Array[];
  grads: Float32Array[][];
  lr: number;
}

/** After each step: every variable's weights and both moments. */
interface History {
  w: Float32Array[][];
  m: Float32Array[][];
  s: Float32Array[][];
}

const sizeOf = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function draw(seed: number): Inputs {
  const rng = createRng(seed);
  const draws = (s: number[]) => Float32Array.from(normals(rng, sizeOf(s)));
  const w0 = SHAPES.map(draws);
  const grads = Array.from({ length: STEPS }, () => SHAPES.map(draws));
  return { w0, grads, lr: Math.fround(0.05 + rng.uniform() * 0.1) };
}

/** STEPS Adam updates on `backend` through the optimizer (the kernel where registered). */
async function train(backend: string, spec: AdamSpec, inputs: Inputs): Promise<History> {
  await tf.setBackend(backend);
  const vars = tf.tidy(() => SHAPES.map((s, i) => tf.variable(tf.tensor(inputs.w0[i], s))));
  const optimizer = createOptimizer(spec, vars);
  const lr = tf.scalar(inputs.lr);
  const history: History = { w: [], m: [], s: [] };
  for (const step of inputs.grads) {
    const grads = SHAPES.map((s, i) => tf.tensor(step[i], s));
    optimizer.apply(grads, lr);
    tf.dispose(grads);
    const slots = optimizer.state().slots;
    history.w.push(vars.map((v) => Float32Array.from(v.dataSync())));
    history.m.push(slots.slice(0, SHAPES.length).map((v) => Float32Array.from(v.dataSync())));
    history.s.push(slots.slice(SHAPES.length).map((v) => Float32Array.from(v.dataSync())));
  }
  optimizer.dispose();
  tf.dispose([...vars, lr]);
  return history;
}

/** w_t - w_{t-1} (w_0 the initial weights), in float64. */
function deltas(w: Float32Array[][], w0: Float32Array[], step: number, i: number): Float64Array {
  const before = step === 0 ? w0[i] : w[step - 1][i];
  return Float64Array.from(w[step][i], (x, k) => x - before[k]);
}

function expectClose(got: History, want: History, inputs: Inputs, label: string): void {
  for (let step = 0; step < STEPS; step++) {
    SHAPES.forEach((s, i) => {
      const where = `${label}: step ${step + 1} variable ${s.join('x')} (seed ${SEED})`;
      expect(relError(deltas(got.w, inputs.w0, step, i), deltas(want.w, inputs.w0, step, i)), `update, ${where}`).toBeLessThan(1e-4);
      expect(relError(got.m[step][i], want.m[step][i]), `first moment, ${where}`).toBeLessThan(1e-4);
      expect(relError(got.s[step][i], want.s[step][i]), `second moment, ${where}`).toBeLessThan(1e-4);
    });
  }
}

/** The same updates by torch.optim.Adam in float32 (weight_decay: L2 added to the gradient, as here). */
const TORCH_ADAM = `
import json, sys, torch
torch.set_num_threads(1)
d = json.load(open(sys.argv[1]))
ps = [torch.nn.Parameter(torch.tensor(w, dtype=torch.float32)) for w in d['w0']]
groups = [{'params': [p], 'weight_decay': wd} for p, wd in zip(ps, d['weightDecay'])]
opt = torch.optim.Adam(groups, lr=d['lr'], betas=(d['beta1'], d['beta2']), eps=d['epsilon'], foreach=False)
out = {'w': [], 'm': [], 's': []}
for step in d['grads']:
    for p, g in zip(ps, step):
        p.grad = torch.tensor(g, dtype=torch.float32)
    opt.step()
    out['w'].append([p.detach().tolist() for p in ps])
    out['m'].append([opt.state[p]['exp_avg'].tolist() for p in ps])
    out['s'].append([opt.state[p]['exp_avg_sq'].tolist() for p in ps])
print(json.dumps(out))
`;

function torchAdam(dir: string, spec: AdamSpec, inputs: Inputs): History {
  const data = join(dir, 'inputs.json');
  const script = join(dir, 'adam.py');
  writeFileSync(script, TORCH_ADAM);
  writeFileSync(data, JSON.stringify({
    w0: inputs.w0.map((w) => Array.from(w)), grads: inputs.grads.map((step) => step.map((g) => Array.from(g))),
    lr: inputs.lr, beta1: spec.beta1, beta2: spec.beta2, epsilon: spec.epsilon,
    // The optimizer decays kernels (rank >= 2) only.
    weightDecay: SHAPES.map((s) => (s.length >= 2 ? spec.weightDecay : 0)),
  }));
  const out = JSON.parse(execFileSync(PYTHON, [script, data], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<keyof History, number[][][]>;
  const arrays = (x: number[][][]) => x.map((step) => step.map((v) => Float32Array.from(v)));
  return { w: arrays(out.w), m: arrays(out.m), s: arrays(out.s) };
}

describe.skipIf(skipNative)('native Adam update', () => {
  useNativeSuite(load);

  itIsNativeOnly(ADAM_UPDATE);

  it.each(SPECS)('matches the op chain on cpu over several steps (%s)', async (label, spec) => {
    const inputs = draw(SEED ^ (spec.weightDecay > 0 ? 0x5bd1 : 0));
    expectClose(await train(NATIVE, spec, inputs), await train('cpu', spec, inputs), inputs, label);
  });

  it('is deterministic: the same inputs give the same bits', async () => {
    const inputs = draw(SEED);
    expect(await train(NATIVE, SPECS[1][1], inputs)).toEqual(await train(NATIVE, SPECS[1][1], inputs));
  });

  it('never rewrites an array that was read out, and keeps the tensor count flat', () => expectReadOutArraysKept(SPECS[0][1], SEED));
});

const torchPresent = !skipNative && hasModule('torch');
const skipTorch = skipNative || requireSystem('python3-torch', torchPresent);

describe.skipIf(skipTorch)('native Adam update against torch.optim.Adam', () => {
  useNativeSuite(load);
  const tmp = useTempDir('batchlab-adam-torch-');

  it.each(SPECS)('gives torch.optim.Adam\'s weights and moments over several steps (%s)', async (label, spec) => {
    const inputs = draw(SEED ^ 0x70c4 ^ (spec.weightDecay > 0 ? 0x5bd1 : 0));
    expectClose(await train(NATIVE, spec, inputs), torchAdam(tmp.path, spec, inputs), inputs, `${label}, torch`);
  });
});
