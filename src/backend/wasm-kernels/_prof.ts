import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.ts';
await tf.setBackend('wasm'); await tf.ready();
registerWasmTrainingKernels();
const batch = 64;
const model = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same' }),
  tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
  tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
  tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 10 }) ] });
const opt = tf.train.sgd(0.01);
const xs = tf.randomNormal([batch, 28, 28, 1]);
const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat();
const step = () => { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), true); l?.dataSync(); l?.dispose(); };
for (let i = 0; i < 3; i++) step();
const t0 = performance.now(); for (let i = 0; i < 10; i++) step(); console.log('step ms', (performance.now() - t0) / 10);
const info = await tf.profile(() => { step(); });
const agg = new Map<string, [number, number]>();
for (const k of info.kernels) { const key = k.name + ' ' + JSON.stringify(k.inputShapes); const v = agg.get(key) ?? [0, 0]; v[0] += k.kernelTimeMs as number; v[1]++; agg.set(key, v); }
const rows = [...agg.entries()].sort((a, b) => b[1][0] - a[1][0]);
let tot = 0; for (const [, v] of rows) tot += v[0];
console.log('kernel total ms', tot.toFixed(2), 'kernels', info.kernels.length);
for (const [k, v] of rows.slice(0, 30)) console.log(v[0].toFixed(2).padStart(8), String(v[1]).padStart(4), k);
