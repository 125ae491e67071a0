import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function t(name: string, f: (x: tf.Tensor4D) => tf.Tensor, iters = 20) {
  const xs = Array.from({ length: iters + 3 }, () => tf.randomNormal([64, 28, 28, 16]) as tf.Tensor4D);
  for (let i = 0; i < 3; i++) f(xs[i]).dispose();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) { const r = f(xs[i + 3]); r.dataSync(); r.dispose(); }
  console.log(name.padEnd(50), ((performance.now() - t0) / iters).toFixed(3), 'ms');
  tf.dispose(xs);
}
t('stock sum 012', (x) => tf.sum(x, [0, 1, 2]));
t('stock mean 012', (x) => tf.mean(x, [0, 1, 2]));
t('matmul ones fresh', (x) => tf.tidy(() => tf.matMul(tf.ones([1, 50176]), tf.reshape(x, [-1, 16]))));
t('avgPool global + sum0', (x) => tf.tidy(() => tf.sum(tf.reshape(tf.avgPool(x, [28, 28], 1, 'valid'), [64, 16]), 0)));
t('avgPool [R,1] on [1,R,1,C]', (x) => tf.tidy(() => tf.avgPool(tf.reshape(x, [1, 50176, 1, 16]) as tf.Tensor4D, [50176, 1], 1, 'valid')));
t('transpose [R,C] + sum last', (x) => tf.tidy(() => tf.sum(tf.transpose(tf.reshape(x, [-1, 16])), 1)));
t('conv2d ones 1x1? (x reshaped [1,R,1,C] dw)', (x) => tf.tidy(() => tf.sum(tf.reshape(x, [64, 784 * 16]), 0)));
