/** Per-layer initializer seeds, so a model's initial weights depend only on the run seed. */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';

/** Layer index i of a model built with `seed` draws from seed*1000 + i (i < 1000). */
const LAYERS_PER_SEED = 1000;

type Init = ReturnType<typeof tf.initializers.heNormal>;

export interface Seeder {
  /** The next layer's seed, for initializers made elsewhere (a model.json's, rewrite-topology.ts). */
  next(): number;
  /** He-normal (fan-in, truncated) initializer for the next layer that feeds a ReLU-like unit. */
  he(): Init;
  /** Glorot-uniform initializer for the next layer (the linear output layer). */
  glorot(): Init;
}

/** `seed` must be an integer with |seed| * 1000 a safe integer. */
export function makeSeeder(seed: number): Seeder {
  if (!Number.isInteger(seed) || !Number.isSafeInteger(seed * LAYERS_PER_SEED + LAYERS_PER_SEED)) {
    throw new UsageError('seed must be an integer', [
      { path: 'seed', message: `expected an integer below ${Math.floor(Number.MAX_SAFE_INTEGER / LAYERS_PER_SEED)}, got ${seed}` },
    ]);
  }
  let index = 0;
  const next = (): number => {
    if (index >= LAYERS_PER_SEED) {
      throw new UsageError('model too deep for per-layer seeds', [
        { path: 'model', message: `more than ${LAYERS_PER_SEED} seeded layers` },
      ]);
    }
    return seed * LAYERS_PER_SEED + index++;
  };
  return {
    next,
    he: () => tf.initializers.heNormal({ seed: next() }),
    glorot: () => tf.initializers.glorotUniform({ seed: next() }),
  };
}
