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

const acc = new Map<string, [number, number]>();
const stack: number[] = [];
for (const k of tf.getKernelsForBackend('wasm')) {
  const orig = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => {
    const key = k.kernelName + ' ' + JSON.stringify(Object.values(args.inputs).map((t) => t?.shape));
    stack.push(0);
    const t0 = performance.now();
    const out = orig(args);
    const dt = performance.now() - t0;
    const inner = stack.pop()!;
    if (stack.length) stack[stack.length - 1] += dt;
    const v = acc.get(key) ?? [0, 0]; v[0] += dt - inner; v[1]++; acc.set(key, v);
    return out;
  } });
}
const N = 5;
const t1 = performance.now(); for (let i = 0; i < N; i++) step(); const stepMs = (performance.now() - t1) / N;
const rows = [...acc.entries()].sort((a, b) => b[1][0] - a[1][0]);
let tot = 0; for (const [, v] of rows) tot += v[0];
console.log('step ms (instrumented)', stepMs.toFixed(1), 'kernel self ms/step', (tot / N).toFixed(1));
for (const [k, v] of rows.slice(0, 35)) console.log((v[0] / N).toFixed(2).padStart(8), String(v[1] / N).padStart(4), k);
