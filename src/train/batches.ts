/**
 * Data order: each epoch draws a seeded permutation of the train set, uploaded once to the device;
 * batches are slices of it gathered on the device. The last partial batch of an epoch is dropped,
 * so every step sees exactly `batchSize` examples.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffled } from '../core/prng.ts';
import { InternalError } from '../errors.ts';

/** Everything that decides the sampler's next batches: restoring it continues the same order. */
export interface SamplerState {
  epoch: number;
  pos: number; // examples of the current permutation already served
  draws: number; // epoch seeds drawn so far from the run seed's generator
  perm: Int32Array | null; // the current epoch's permutation; null between epochs
}

export class EpochSampler {
  private perm: tf.Tensor1D | null = null;
  private permHost: Int32Array | null = null;
  private pos = 0;
  private draws = 0;
  /** Completed passes over the train set. */
  epoch = 0;
  private readonly seedFor: () => number;

  /** `state` (from snapshot() of a sampler with the same n and seed) continues where that one was. */
  constructor(private readonly n: number, seed: number, state?: SamplerState) {
    const rng = mulberry32(seed);
    this.seedFor = () => {
      this.draws += 1;
      return Math.floor(rng() * 2 ** 32);
    };
    if (state) {
      if (state.perm !== null && state.perm.length !== n) {
        throw new InternalError(`sampler state has a permutation of ${state.perm.length}, expected ${n}`);
      }
      for (let i = 0; i < state.draws; i++) rng();
      Object.assign(this, { draws: state.draws, epoch: state.epoch, pos: state.pos });
      // Uploaded by the next batch, so a sampler that is never used holds no tensor.
      this.permHost = state.perm && Int32Array.from(state.perm);
    }
  }

  /** A copy of the state; the sampler can go on. */
  snapshot(): SamplerState {
    return { epoch: this.epoch, pos: this.pos, draws: this.draws, perm: this.permHost && Int32Array.from(this.permHost) };
  }

  /** Fractional epochs consumed so far. */
  get epochFloat(): number {
    return this.epoch + this.pos / this.n;
  }

  /** True when fewer than `batchSize` examples remain in this epoch (it is over). */
  exhausted(batchSize: number): boolean {
    return this.permHost !== null && this.pos + batchSize > this.n;
  }

  /** Ends the current epoch (call when exhausted) and counts it. */
  endEpoch(): void {
    this.perm?.dispose();
    this.perm = null;
    this.permHost = null;
    this.pos = 0;
    this.epoch += 1;
  }

  /**
   * Indices of the next batch on the host: a view of the epoch's permutation, valid until the
   * epoch ends. Draws and advances exactly as next() does (the direct dense step reads these).
   */
  nextOnHost(batchSize: number): Int32Array {
    if (batchSize > this.n) throw new InternalError(`batch size ${batchSize} exceeds the ${this.n} train examples`);
    this.permHost ??= shuffled(this.n, this.seedFor());
    const idx = this.permHost.subarray(this.pos, this.pos + batchSize);
    this.pos += batchSize;
    return idx;
  }

  /** Indices of the next batch as an int32 tensor the caller owns. */
  next(batchSize: number): tf.Tensor1D {
    if (batchSize > this.n) throw new InternalError(`batch size ${batchSize} exceeds the ${this.n} train examples`);
    // Kept: next() is usually called inside a step's tf.tidy, and the permutation outlives it.
    if (this.perm === null) {
      this.permHost ??= shuffled(this.n, this.seedFor());
      this.perm = tf.keep(tf.tensor1d(this.permHost, 'int32'));
    }
    const idx = tf.slice(this.perm, this.pos, batchSize);
    this.pos += batchSize;
    return idx;
  }

  dispose(): void {
    this.perm?.dispose();
    this.perm = null;
  }
}
