/**
 * evaluate()'s sums for batchlab's MLP (dense-stack.ts) on the native backend, by direct calls to
 * the addon functions tfjs's kernels call in inference mode: per layer the product with its bias
 * (_FusedMatMul) and the ReLU, the per-example cross-entropy, its Sum; the accuracy as tfjs's cpu
 * ArgMax, Equal, Cast and Sum count it; the chunks added in float32 as tf.add does. The same bits as
 * evaluate's tfjs path (direct-dense-eval.test.ts), without its per-op cost and a fresh array per
 * output: at 500 examples the tfjs path spent ~2.5 ms of ~6.5 ms outside the products.
 */
import * as tf from '@tensorflow/tfjs';
import { REDUCE_OPS, UNARY_OPS, XENT_REDUCTIONS } from '../backend/native/op-codes.ts';
import { nativeKernelsInUse } from '../backend/native/register.ts';
import { denseStackOf, hostArrayOf } from './dense-stack.ts';
import { directStepsEnabled } from './direct-dense-step.ts';

/** The arrays one chunk size needs: each layer's output, the per-example losses and row log-sum-exps, their sum. */
interface EvalScratch {
  outs: Float32Array[];
  perExample: Float32Array;
  lse: Float32Array;
  chunkSum: Float32Array;
}

/** Scratch by chunk size, per model (weak: it goes with the model). */
const scratchByModel = new WeakMap<tf.LayersModel, Map<number, EvalScratch>>();

/**
 * { lossSum, correct } over all of x (as float32 sums), or null where the tfjs path must run
 * (not the MLP, not native, not float32 one-hot classification data on this backend).
 */
export function directDenseEvaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, chunk: number): { lossSum: number; correct: number } | null {
  const use = nativeKernelsInUse();
  if (!directStepsEnabled() || use === null || use.addon.softmaxXent === undefined) return null;
  const layers = denseStackOf(model);
  if (layers === null || y.rank !== 2) return null;
  const n = x.shape[0];
  const features = layers[0]!.inputs;
  const classes = layers.at(-1)!.units;
  if (n === 0 || x.size !== n * features || y.shape[0] !== n || y.shape[1] !== classes) return null;
  const xs = hostArrayOf(x);
  const ys = hostArrayOf(y);
  if (xs === null || ys === null) return null;
  const { addon, gemmLibrary: lib } = use;
  let byChunk = scratchByModel.get(model);
  if (byChunk === undefined) scratchByModel.set(model, (byChunk = new Map()));
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    let s = byChunk.get(m);
    if (s === undefined) {
      s = { outs: layers.map((l) => new Float32Array(m * l.units)), perExample: new Float32Array(m), lse: new Float32Array(m), chunkSum: new Float32Array(1) };
      byChunk.set(m, s);
    }
    let input = xs.subarray(start * features, (start + m) * features);
    layers.forEach((l, i) => {
      const out = s.outs[i]!;
      addon.gemm(input, hostArrayOf(l.kernel)!, out, 1, m, l.units, l.inputs, 0, 0, hostArrayOf(l.bias)!, 0, lib);
      if (i < layers.length - 1) addon.unary(out, out, UNARY_OPS['Relu']!, 0); // in place: the product is not needed again
      input = out;
    });
    const labels = ys.subarray(start * classes, (start + m) * classes);
    addon.softmaxXent!(input, labels, s.perExample, s.lse, m, classes, XENT_REDUCTIONS.none);
    addon.reduce(s.perExample, s.chunkSum, 1, m, 1, REDUCE_OPS['Sum']!);
    lossSum = Math.fround(lossSum + s.chunkSum[0]!);
    correct = Math.fround(correct + countMatches(input, labels, m, classes));
  }
  return { lossSum, correct };
}

/** Rows whose first largest logit sits where the label's first largest value does (tfjs's cpu ArgMax on both). */
function countMatches(logits: Float32Array, labels: Float32Array, rows: number, classes: number): number {
  let count = 0;
  for (let r = 0; r < rows; r++) if (argMaxAt(logits, r * classes, classes) === argMaxAt(labels, r * classes, classes)) count++;
  return count;
}

function argMaxAt(v: Float32Array, offset: number, size: number): number {
  let max = v[offset]!;
  let at = 0;
  for (let j = 0; j < size; j++) {
    const value = v[offset + j]!;
    if (value > max) {
      max = value;
      at = j;
    }
  }
  return at;
}
