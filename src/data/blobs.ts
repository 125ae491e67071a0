/**
 * Gaussian blobs: `classes` centres drawn N(0, I) in `dim` dimensions, and each example its
 * class centre plus N(0, spread^2 I) noise. Classes are balanced (counts differ by at most one).
 */
import type { DataSpec } from '../config/schema.ts';
import { oneHot, toDataset, type Dataset } from './dataset.ts';
import { createRng, deriveSeed, normals, shuffleInPlace } from '../core/prng.ts';

/** Validated settings (config/schema.ts); `spread` is in units of the centres' per-coordinate std (1). */
export type BlobsConfig = Extract<DataSpec, { name: 'blobs' }>;

export interface BlobsSample {
  /** float32 [n, dim]. */
  x: Float32Array;
  /** int32 [n], class of each row. */
  labels: Int32Array;
}

/** Class centres, float64 [classes, dim], of `seed` (pure); independent of the split sizes. */
export function planBlobCentres(classes: number, dim: number, seed: number): Float64Array {
  return normals(createRng(deriveSeed(seed, 'blobs-centres')), classes * dim);
}

/** `n` examples around `centres` [classes, dim], balanced and shuffled, from the named stream (pure). */
export function sampleBlobs(
  centres: Float64Array,
  classes: number,
  n: number,
  spread: number,
  seed: number,
  stream: string,
): BlobsSample {
  const dim = centres.length / classes;
  const rng = createRng(deriveSeed(seed, stream));
  const labels = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i % classes), rng);
  const x = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const centre = labels[r] * dim;
    for (let k = 0; k < dim; k++) x[r * dim + k] = centres[centre + k] + spread * rng.normal();
  }
  return { x, labels };
}

/** The blobs dataset: inputs [N, dim], one-hot labels [N, classes]. Test set fixed per seed. */
export async function loadBlobs(cfg: BlobsConfig): Promise<Dataset> {
  const centres = planBlobCentres(cfg.classes, cfg.dim, cfg.seed);
  const train = sampleBlobs(centres, cfg.classes, cfg.trainSize, cfg.spread, cfg.seed, 'blobs-train');
  const test = sampleBlobs(centres, cfg.classes, cfg.testSize, cfg.spread, cfg.seed, 'blobs-test');
  return toDataset(
    { name: 'blobs', task: 'classification', inputShape: [cfg.dim], numOutputs: cfg.classes, trainLabels: train.labels },
    {
      trainX: train.x,
      trainY: oneHot(train.labels, cfg.classes),
      testX: test.x,
      testY: oneHot(test.labels, cfg.classes),
    },
  );
}
