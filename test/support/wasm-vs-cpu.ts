/**
 * Test support: run the same computation on the cpu backend (the reference) and on wasm with
 * the training kernels registered, from the same fresh random data.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/backend/wasm-kernels/index.ts';
import { relError } from './rel-error.ts';

export { relError };

/** Registers the kernels and initialises both backends; call in beforeAll. */
export async function initBackends(): Promise<void> {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  await tf.ready();
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Standard normal samples scaled and shifted: N(mean, std^2). */
export function randn(size: number, mean = 0, std = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = 1 - Math.random();
    const v = Math.random();
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** A 4-D shape, for the tfjs ops whose typings want one. */
export type Shape4 = [number, number, number, number];

export interface Input {
  shape: number[];
  data: Float32Array | Int32Array;
  dtype?: 'float32' | 'int32';
}

/**
 * Runs `f` on fresh tensors made from `inputs` on `backend`; returns the outputs' values and
 * shapes. Every tensor it creates is disposed.
 */
export async function runOn(
  backend: 'cpu' | 'wasm',
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ values: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend(backend);
  const xs = inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'));
  const out = tf.tidy(() => f(...xs));
  const outs = Array.isArray(out) ? out : [out];
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  const shapes = outs.map((t) => t.shape.slice());
  tf.dispose([...xs, ...outs]);
  return { values, shapes };
}


/** Worst relative error of wasm vs cpu over all outputs of `f`; also checks shapes agree. */
export async function compareWithCpu(
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<number> {
  const ref = await runOn('cpu', inputs, f);
  const got = await runOn('wasm', inputs, f);
  if (JSON.stringify(ref.shapes) !== JSON.stringify(got.shapes)) {
    throw new Error(`shape mismatch: cpu ${JSON.stringify(ref.shapes)} vs wasm ${JSON.stringify(got.shapes)}`);
  }
  return Math.max(...ref.values.map((r, i) => relError(got.values[i], r)));
}

/** A float32 input of the given shape with N(mean, std^2) entries. */
export function normal(shape: number[], mean = 0, std = 1): Input {
  return { shape, data: randn(shape.reduce((a, b) => a * b, 1), mean, std) };
}

/** Output shape of a forward op, computed on zeros (so tests can draw a matching dy). */
export function shapeOf(f: () => tf.Tensor): number[] {
  return tf.tidy(() => f().shape.slice());
}

/** Relative-error bound the kernels are held to (max |wasm - cpu| / max |cpu|). */
export const TOLERANCE = 1e-4;

/**
 * Worst relative error of wasm vs cpu over the gradients (input and filter) of `conv`, a 2-D
 * convolution of x (`xShape`) by a filter (`wShape`), at random x, filter and output gradient.
 */
export async function convGradsError(
  conv: (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D, xShape: number[], wShape: number[],
): Promise<number> {
  const yShape = shapeOf(() => conv(tf.zeros(xShape as Shape4) as tf.Tensor4D, tf.zeros(wShape as Shape4) as tf.Tensor4D));
  const inputs: Input[] = [normal(xShape), normal(wShape), normal(yShape)];
  return compareWithCpu(inputs, (x, w, dy) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a as tf.Tensor4D, b as tf.Tensor4D))([x, w], dy),
  );
}
