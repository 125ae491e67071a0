/**
 * Data order: each epoch draws a seeded permutation of the train set, uploaded once to the device;
 * batches are slices of it gathered on the device. The last partial batch of an epoch is dropped,
 * so every step sees exactly `batchSize` examples.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffled } from '../core/prng.ts';

export class EpochSampler {
  private perm: tf.Tensor1D | null = null;
  private pos = 0;
  /** Completed passes over the train set. */
  epoch = 0;
  private readonly seedFor: () => number;

  constructor(private readonly n: number, seed: number) {
    const rng = mulberry32(seed);
    this.seedFor = () => Math.floor(rng() * 2 ** 32);
  }

  /** Fractional epochs consumed so far. */
  get epochFloat(): number {
    return this.epoch + this.pos / this.n;
  }

  /** True when fewer than `batchSize` examples remain in this epoch (it is over). */
  exhausted(batchSize: number): boolean {
    return this.perm !== null && this.pos + batchSize > this.n;
  }

  /** Ends the current epoch (call when exhausted) and counts it. */
  endEpoch(): void {
    this.perm?.dispose();
    this.perm = null;
    this.pos = 0;
    this.epoch += 1;
  }

  /** Indices of the next batch as an int32 tensor the caller owns. */
  next(batchSize: number): tf.Tensor1D {
    if (batchSize > this.n) throw new RangeError(`batch size ${batchSize} exceeds the ${this.n} train examples`);
    // Kept: next() is usually called inside a step's tf.tidy, and the permutation outlives it.
    if (this.perm === null) this.perm = tf.keep(tf.tensor1d(shuffled(this.n, this.seedFor()), 'int32'));
    const idx = tf.slice(this.perm, this.pos, batchSize);
    this.pos += batchSize;
    return idx;
  }

  dispose(): void {
    this.perm?.dispose();
    this.perm = null;
  }
}
