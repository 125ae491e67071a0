/**
 * batchlab's WGSL kernels on the webgpu backend (a GPU, or Mesa's lavapipe) against the cpu
 * backend, on fresh random inputs with odd sizes (batch 1, H*W odd, channel counts that are not
 * multiples of 4). The cpu side runs the composed versions (tensor ops) of the norm pairs, the
 * optimizers' op chains and tfjs's tf.losses.softmaxCrossEntropy. Each output must agree to
 * TOLERANCE as max |webgpu - cpu| / max |cpu|; webgpu must give the same bits twice in a row; and
 * each kernel must run as the dispatches it is built as (so a silent fallback to the composed ops
 * fails the test).
 *
 * Without a Vulkan adapter the suite is skipped; with BATCHLAB_REQUIRE_SYSTEM=1 it fails instead.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { BN_TRAIN_GRAD, GN_GRAD } from '../kernel-names.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { randn, relError } from '../../../test/support/wasm-vs-cpu.ts';
import { batchNormTrain } from '../../models/batch-norm-train.ts';
import { groupNormFused } from '../../models/group-norm-kernel.ts';
import { createOptimizer } from '../../train/optimizers.ts';
import { perExampleLoss, reducedLoss } from '../../train/loss.ts';
import { BatchNorm } from '../../models/batch-norm.ts';
import { GhostBatchNorm } from '../../models/ghost-batch-norm.ts';
import type { OptimizerSpec } from '../../config/schema.ts';
import { bnChunks, MAX_BN_CHUNKS } from './batch-norm.ts';

const TOLERANCE = 1e-4;

const { probe, skipWebgpu } = await probeWebgpuForTests();

type Backend = 'cpu' | 'webgpu';

interface Data {
  shape: number[];
  values: Float32Array;
}

function normal(shape: number[], mean = 0, std = 1): Data {
  return { shape, values: randn(shape.reduce((a, b) => a * b, 1), mean, std) };
}

/**
 * Runs `f` on fresh tensors of `inputs` on `backend`; returns every output's values and, on
 * webgpu, the dispatches it recorded. Every tensor it makes is disposed.
 */
async function runOn(backend: Backend, inputs: Data[], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<{ values: Float32Array[]; dispatches: Map<string, number> }> {
  await tf.setBackend(backend);
  const xs = inputs.map((d) => tf.tensor(d.values, d.shape));
  const compute = () => tf.tidy(() => f(...xs));
  let outs: tf.Tensor[];
  let dispatches = new Map<string, number>();
  if (backend === 'webgpu') {
    const { result, counts } = await countDispatches(tf.backend(), compute);
    outs = result;
    dispatches = counts.byProgram;
  } else {
    outs = compute();
  }
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose([...xs, ...outs]);
  return { values, dispatches };
}

/** Worst relative error of webgpu against cpu; webgpu run twice must agree bit for bit. */
async function compare(inputs: Data[], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<{ error: number; dispatches: Map<string, number> }> {
  const ref = await runOn('cpu', inputs, f);
  const got = await runOn('webgpu', inputs, f);
  const again = await runOn('webgpu', inputs, f);
  expect(got.values.map((v) => v.length)).toEqual(ref.values.map((v) => v.length));
  got.values.forEach((v, i) => expect(Buffer.from(again.values[i]!.buffer).equals(Buffer.from(v.buffer)), `output ${i} bit-identical`).toBe(true));
  const errors = ref.values.map((r, i) => relError(got.values[i]!, r));
  errors.forEach((e, i) => expect(e, `output ${i}`).toBeLessThan(TOLERANCE));
  return { error: Math.max(...errors), dispatches: got.dispatches };
}

/** f's outputs, then the gradients of sum(f[0] * dy) with respect to each input. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor[], dyIndex: number): (...xs: tf.Tensor[]) => tf.Tensor[] {
  return (...all) => {
    const xs = all.filter((_, i) => i !== dyIndex);
    const dy = all[dyIndex]!;
    const grads = tf.grads((...vs: tf.Tensor[]) => tf.sum(tf.mul(f(...vs)[0]!, dy)))(xs);
    return [...f(...xs), ...grads];
  };
}

/** Dispatches of one program (0 when none). */
function out(dispatches: Map<string, number>, program: string): number {
  return dispatches.get(program) ?? 0;
}

describe('bnChunks: how the BatchNorm forward cuts the rows', () => {
  it.each([
    [25088, 16, 24, 1046],
    [18000, 2, 2, 9000],
    [200, 300, 3, 67],
    [60, 3, 1, 60],
    [200704, 16, 196, 1024],
  ])('%i rows x %i channels: %i chunks of %i rows', (rows, channels, chunks, chunkRows) => {
    expect(bnChunks(rows, channels)).toEqual({ chunks, chunkRows });
  });

  it('stops at MAX_BN_CHUNKS and covers every row', () => {
    const { chunks, chunkRows } = bnChunks(10_000_000, 8);
    expect(chunks).toBe(MAX_BN_CHUNKS);
    expect(chunks * chunkRows).toBeGreaterThanOrEqual(10_000_000);
    expect((chunks - 1) * chunkRows).toBeLessThan(10_000_000);
  });
});

describe.skipIf(skipWebgpu)(`batchlab's webgpu kernels match cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  describe('BatchNorm training pair', () => {
    it.each([
      [[1, 5, 7, 3]],
      [[6, 5, 5, 4]],
      [[3, 3, 3, 17]],
      [[4, 10]],
      [[64, 10, 10, 3]],
      [[3, 300]],
      // Several chunks (bnChunks): 24 of 1,046 rows (the CNN's conv1 at batch 32), 2 of 9,000
      // rows over 2 channels, and 3 chunks (the last shorter) of two channel blocks.
      [[32, 28, 28, 16]],
      [[20, 30, 30, 2]],
      [[200, 300]],
    ])('x %j: y, mean, variance, dx, dgamma, dbeta', async (shape) => {
      const c = shape[shape.length - 1]!;
      const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-3);
        return [y, mean, variance];
      };
      const { dispatches } = await compare(
        [normal(shape, 2, 3), normal([c], 1, 0.3), normal([c]), normal(shape)],
        withGrads((x, g, b) => f(x!, g!, b!), 3),
      );
      expect(Object.fromEntries(dispatches)).toMatchObject({
        BatchlabBatchNormPartials: 2, BatchlabBatchNormApply: 2, BatchlabBatchNormGradPartials: 1, BatchlabBatchNormGradApply: 1,
      });
    });

    it.each([
      ['BatchNorm', [5, 3, 3, 6], 0],
      ['GhostBatchNorm (ghost batches of 2, the last of 1)', [5, 3, 3, 6], 2],
    ] as const)('%s layer in training mode on x %j: y and the moving statistics after two calls', async (_, shape, ghost) => {
      const c = shape[3];
      const { dispatches } = await compare([normal([...shape], 1, 2), normal([...shape], -1, 1)], (x1, x2) => {
        const layer = ghost > 0 ? new GhostBatchNorm({ ghostBatchSize: ghost, momentum: 0.8 }) : new BatchNorm({ momentum: 0.8 });
        const y1 = layer.apply(x1!, { training: true }) as tf.Tensor;
        const y2 = layer.apply(x2!, { training: true }) as tf.Tensor;
        const out = [y1, y2, ...layer.getWeights().map((w) => tf.clone(w))];
        layer.dispose();
        return out;
      });
      expect(out(dispatches, 'BatchlabBatchNormMoving')).toBe(2);
      if (ghost === 0) expect(out(dispatches, 'BatchlabBatchNormPartials')).toBe(2);
      expect(c).toBe(6);
    });

    it('the gradient kernel with gradients reaching mean and variance', async () => {
      const shape = [2, 3, 5, 7];
      const c = 7;
      await compare(
        [normal(shape), normal(shape, 1, 2), normal([c], 1, 0.3), normal([c], 1), { shape: [c], values: randn(c).map((v) => 1 + v * v) }, normal([c]), normal([c])],
        (dy, x, gamma, mean, variance, dmean, dvariance) => tf.engine().runKernel(
          BN_TRAIN_GRAD, { dy: dy!, x: x!, gamma: gamma!, mean: mean!, variance: variance!, dmean: dmean!, dvariance: dvariance! }, { epsilon: 1e-5 },
        ) as tf.Tensor[],
      );
    });
  });

  describe('GroupNorm pair', () => {
    it.each([
      [[1, 5, 7, 6], 3],
      [[3, 4, 4, 8], 2],
      [[2, 9, 5], 5],
      [[2, 3, 3, 6], 6],
      [[2, 3, 260], 4],
    ])('x %j, %i groups: y, mean, rstd, dx, dgamma, dbeta', async (shape, groups) => {
      const c = shape[shape.length - 1]!;
      const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { y, mean, rstd } = groupNormFused(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, groups, 1e-5);
        return [y, mean, rstd];
      };
      const { dispatches } = await compare(
        [normal(shape, 1, 2), normal([c], 1, 0.3), normal([c]), normal(shape)],
        withGrads((x, g, b) => f(x!, g!, b!), 3),
      );
      expect(Object.fromEntries(dispatches)).toMatchObject({
        BatchlabGroupNormStats: 2, BatchlabGroupNormApply: 2, BatchlabGroupNormGradCoefficients: 1, BatchlabGroupNormGradApply: 1,
      });
    });

    it('the gradient kernel with gradients reaching mean and rstd', async () => {
      const shape = [3, 5, 3, 6];
      const stats = [3, 2];
      await compare(
        [normal(shape), normal(shape, 1, 2), normal([6], 1, 0.3), normal(stats, 1), { shape: stats, values: randn(6).map((v) => 0.5 + v * v) }, normal(stats), normal(stats)],
        (dy, x, gamma, mean, rstd, dmean, drstd) => tf.engine().runKernel(
          GN_GRAD, { dy: dy!, x: x!, gamma: gamma!, mean: mean!, rstd: rstd!, dmean: dmean!, drstd: drstd! }, { groups: 2, epsilon: 1e-5 },
        ) as tf.Tensor[],
      );
    });
  });

  describe('optimizer updates', () => {
    const sgd = (momentum: number, nesterov: boolean, weightDecay: number): OptimizerSpec => ({ name: 'sgd', momentum, nesterov, weightDecay });
    const adam = (weightDecay: number): OptimizerSpec => ({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay });

    it.each([
      ['plain SGD (variables in pairs)', sgd(0, false, 0), 'BatchlabSgdUpdatePair'],
      ['plain SGD with weight decay (variables in pairs)', sgd(0, false, 5e-3), 'BatchlabSgdUpdatePair'],
      ['SGD with momentum', sgd(0.9, false, 0), 'BatchlabSgdUpdate'],
      ['Nesterov SGD with weight decay', sgd(0.9, true, 5e-3), 'BatchlabSgdUpdate'],
      ['Adam', adam(0), 'BatchlabAdamUpdate'],
      ['Adam with weight decay', adam(1e-2), 'BatchlabAdamUpdate'],
    ] as const)('%s: 3 updates of a [7, 13] kernel and a [5] bias give the same weights and slots', async (_, spec, program) => {
      const inputs = [normal([7, 13]), normal([5]), ...[0, 1, 2].flatMap(() => [normal([7, 13], 0, 0.1), normal([5], 0, 0.1)])];
      const { dispatches } = await compare(inputs, (w0, b0, ...gs) => {
        const vars = [tf.variable(w0!), tf.variable(b0!)];
        const opt = createOptimizer(spec as OptimizerSpec, vars);
        const lr = tf.scalar(0.05);
        for (let s = 0; s < 3; s++) opt.apply([gs[2 * s]!, gs[2 * s + 1]!], lr);
        const out = [...vars, ...opt.state().slots].map((v) => tf.clone(v));
        opt.dispose();
        tf.dispose([...vars, lr]);
        return out;
      });
      expect(dispatches.get(program)).toBe(program === 'BatchlabSgdUpdatePair' ? 3 : 6);
    });
  });

  describe('softmax cross-entropy', () => {
    /** Rows of non-negative labels summing to 1: one-hot when `smooth` is false. */
    function labels(rows: number, classes: number, smooth: boolean): Data {
      const values = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        if (smooth) {
          const raw = Array.from({ length: classes }, () => Math.random());
          const sum = raw.reduce((a, b) => a + b, 0);
          raw.forEach((v, j) => (values[r * classes + j] = v / sum));
        } else {
          values[r * classes + Math.floor(Math.random() * classes)] = 1;
        }
      }
      return { shape: [rows, classes], values };
    }

    it.each([
      [1, 10, false],
      [13, 7, false],
      [33, 5, true],
    ])('%i rows x %i classes (smoothed %s): per-example loss and dlogits', async (rows, classes, smooth) => {
      const { dispatches } = await compare(
        [normal([rows, classes], 0, 4), labels(rows, classes, smooth), normal([rows])],
        withGrads((logits, y) => [perExampleLoss('classification', logits!, y!)], 2),
      );
      expect(dispatches.get('BatchlabSoftmaxCrossEntropy')).toBe(2);
      expect(dispatches.get('BatchlabSoftmaxCrossEntropyGrad')).toBe(1);
    });

    it.each([
      ['mean', 37, 10],
      ['sum', 1, 3],
      ['mean', 300, 7],
    ] as const)('reduced (%s) over %i rows x %i classes: loss and dlogits', async (reduction, rows, classes) => {
      const { dispatches } = await compare(
        [normal([rows, classes], 0, 4), labels(rows, classes, true), normal([])],
        withGrads((logits, y) => [reducedLoss('classification', reduction, logits!, y!)], 2),
      );
      expect(dispatches.get('BatchlabSoftmaxCrossEntropy')).toBe(2);
      expect(dispatches.get('BatchlabSoftmaxCrossEntropyGrad')).toBe(1);
    });
  });
});
