import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.ts';
await tf.setBackend('wasm'); await tf.ready();
registerWasmTrainingKernels();
function t(name: string, f: () => tf.Tensor, iters = 20) {
  for (let i = 0; i < 3; i++) f().dispose();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) { const r = f(); r.dispose(); }
  console.log(name.padEnd(50), ((performance.now() - t0) / iters).toFixed(3), 'ms');
}
const big = tf.randomNormal([64, 28, 28, 16]);
const s = tf.scalar(3);
t('realdiv scalar', () => tf.div(big, s));
t('realdiv scalar number', () => tf.div(big, 3));
t('mul scalar', () => tf.mul(big, s));
t('slice r4', () => tf.slice(big, [0, 1, 1, 0], [64, 26, 26, 16]));
t('identity/clone', () => tf.clone(big));
const x1 = tf.randomNormal([64, 28, 28, 1]); const dy1 = tf.randomNormal([64, 28, 28, 16]);
const x2 = tf.randomNormal([64, 14, 14, 16]); const dy2 = tf.randomNormal([64, 14, 14, 32]);
const eye = (c: number) => tf.tidy(() => tf.tile(tf.reshape(tf.eye(9), [3, 3, 1, 9]), [1, 1, c, 1]) as tf.Tensor4D);
const e1 = eye(1), e16 = eye(16);
t('patches dw eye L1', () => tf.depthwiseConv2d(x1 as tf.Tensor4D, e1, 1, 'same'));
t('patches dw eye L2', () => tf.depthwiseConv2d(x2 as tf.Tensor4D, e16, 1, 'same'));
const gemm = (x: tf.Tensor4D, dy: tf.Tensor4D, e: tf.Tensor4D) => tf.tidy(() => {
  const c = x.shape[3], o = dy.shape[3];
  const p = tf.reshape(tf.depthwiseConv2d(x, e, 1, 'same'), [-1, c * 9]);
  const d = tf.reshape(dy, [-1, o]);
  const r = tf.matMul(d, p, true, false); // [o, c*9]
  return tf.transpose(tf.reshape(r, [o, c, 3, 3]), [2, 3, 1, 0]);
});
t('filter grad gemm L1', () => gemm(x1 as tf.Tensor4D, dy1 as tf.Tensor4D, e1));
t('filter grad gemm L2', () => gemm(x2 as tf.Tensor4D, dy2 as tf.Tensor4D, e16));
const cur = (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.grad((w: tf.Tensor) => tf.mul(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), dy))(tf.zeros([3, 3, x.shape[3], dy.shape[3]]));
t('filter grad current L1 (+fwd)', () => cur(x1 as tf.Tensor4D, dy1 as tf.Tensor4D));
t('filter grad current L2 (+fwd)', () => cur(x2 as tf.Tensor4D, dy2 as tf.Tensor4D));
t('fwd conv L2', () => tf.conv2d(x2 as tf.Tensor4D, tf.zeros([3, 3, 16, 32]) as tf.Tensor4D, 1, 'same'));
t('sum 012', () => tf.sum(big, [0, 1, 2]));
