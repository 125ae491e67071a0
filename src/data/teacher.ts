/**
 * Teacher-student regression: targets come from a fixed random network
 * y = tanh(x W1 + b1) W2 + b2 + noise * N(0, 1), with inputs x ~ N(0, I). Everything is drawn
 * from `seed`, on the host in float64, so the data do not depend on the backend.
 */
import type { DataSpec } from '../config/schema.ts';
import { toDataset, type Dataset } from './dataset.ts';
import { createRng, deriveSeed, normals } from '../core/prng.ts';

/** Validated settings (config/schema.ts); `noise` is the std of the Gaussian noise on every target. */
export type TeacherConfig = Extract<DataSpec, { name: 'teacher' }>;

/** The teacher's parameters, row-major float64. */
export interface TeacherWeights {
  inputDim: number;
  hidden: number;
  outputDim: number;
  /** [inputDim, hidden], entries N(0, 1/inputDim) so pre-activations have unit variance. */
  w1: Float64Array;
  /** [hidden], entries N(0, 0.1^2): shifts units off the origin without saturating them. */
  b1: Float64Array;
  /** [hidden, outputDim], entries N(0, 1/hidden). */
  w2: Float64Array;
  /** [outputDim], zeros. */
  b2: Float64Array;
}

export interface TeacherSample {
  /** float32 [n, inputDim]. */
  x: Float32Array;
  /** float32 [n, outputDim]: teacher output plus noise. */
  y: Float32Array;
}

/** The teacher network of `seed` (pure). Weights do not depend on the sizes of the splits. */
export function planTeacher(inputDim: number, hidden: number, outputDim: number, seed: number): TeacherWeights {
  const rng = createRng(deriveSeed(seed, 'teacher-weights'));
  return {
    inputDim,
    hidden,
    outputDim,
    w1: normals(rng, inputDim * hidden, 1 / Math.sqrt(inputDim)),
    b1: normals(rng, hidden, 0.1),
    w2: normals(rng, hidden * outputDim, 1 / Math.sqrt(hidden)),
    b2: new Float64Array(outputDim),
  };
}

/** Noise-free teacher outputs, float64 [n, outputDim], for inputs x [n, inputDim] (pure). */
export function applyTeacher(w: TeacherWeights, x: ArrayLike<number>): Float64Array {
  const n = x.length / w.inputDim;
  const out = new Float64Array(n * w.outputDim);
  const h = new Float64Array(w.hidden);
  for (let r = 0; r < n; r++) {
    h.set(w.b1);
    for (let i = 0; i < w.inputDim; i++) {
      const xi = x[r * w.inputDim + i];
      const row = i * w.hidden;
      for (let j = 0; j < w.hidden; j++) h[j] += xi * w.w1[row + j];
    }
    for (let o = 0; o < w.outputDim; o++) {
      let y = w.b2[o];
      for (let j = 0; j < w.hidden; j++) y += Math.tanh(h[j]) * w.w2[j * w.outputDim + o];
      out[r * w.outputDim + o] = y;
    }
  }
  return out;
}

/** `n` examples of the teacher with label noise, drawn from the named stream of `seed` (pure). */
export function sampleTeacher(w: TeacherWeights, n: number, noise: number, seed: number, stream: string): TeacherSample {
  const rng = createRng(deriveSeed(seed, stream));
  const x = Float32Array.from(normals(rng, n * w.inputDim));
  const clean = applyTeacher(w, x);
  const y = new Float32Array(clean.length);
  for (let k = 0; k < clean.length; k++) y[k] = clean[k] + noise * rng.normal();
  return { x, y };
}

/**
 * The teacher dataset: inputs [N, inputDim], targets [N, outputDim]. Train and test come from
 * separate streams of `seed`, so the test set and the teacher stay fixed when trainSize changes.
 */
export async function loadTeacher(cfg: TeacherConfig): Promise<Dataset> {
  const weights = planTeacher(cfg.inputDim, cfg.hidden, cfg.outputDim, cfg.seed);
  const train = sampleTeacher(weights, cfg.trainSize, cfg.noise, cfg.seed, 'teacher-train');
  const test = sampleTeacher(weights, cfg.testSize, cfg.noise, cfg.seed, 'teacher-test');
  return toDataset(
    { name: 'teacher', task: 'regression', inputShape: [cfg.inputDim], numOutputs: cfg.outputDim },
    { trainX: train.x, trainY: train.y, testX: test.x, testY: test.y },
  );
}
