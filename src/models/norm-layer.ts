/** The normalisation layer a factory puts after each conv/dense layer, chosen by NormOptions. */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from './batch-norm.ts';
import { GhostBatchNorm } from './ghost-batch-norm.ts';
import { GroupNorm } from './group-norm.ts';
import type { NormName } from './norm-names.ts';
import type { NormOptions } from './types.ts';
import { NORM_EPSILON, batchNormSettings } from './batch-norm-settings.ts';

/** Builds the norm layer for features of `rank` (2 = dense [N, C], 4 = NHWC); null for none. */
type NormFactory = (opts: NormOptions, rank: 2 | 4, name: string) => tf.layers.Layer | null;

/**
 * One factory per name of NORM_NAMES. 'layer' on rank 4 is GroupNorm with one group (normalise
 * over H, W, C with per-channel gamma/beta, as in Wu & He): tfjs LayerNormalization with axis -1
 * would normalise each pixel across channels only, and with axes [1,2,3] would learn H*W*C gammas.
 */
const NORM_LAYERS: { readonly [N in NormName]: NormFactory } = {
  none: () => null,
  batch: (opts, _rank, name) => {
    const settings = batchNormSettings(opts);
    if (opts.ghostBatchSize !== undefined) return new GhostBatchNorm({ ghostBatchSize: opts.ghostBatchSize, ...settings, name });
    return new BatchNorm({ ...settings, name });
  },
  group: (opts, _rank, name) => new GroupNorm({ groups: opts.groups, epsilon: NORM_EPSILON, name }),
  layer: (_opts, rank, name) => rank === 4
    ? new GroupNorm({ groups: 1, epsilon: NORM_EPSILON, name })
    : tf.layers.layerNormalization({ epsilon: NORM_EPSILON, name }),
};

/** Returns a fresh norm layer for features of `rank` (2 = dense [N, C], 4 = NHWC), or null for 'none'. */
export function makeNorm(opts: NormOptions, rank: 2 | 4, name: string): tf.layers.Layer | null {
  return NORM_LAYERS[opts.norm](opts, rank, name);
}

/** A per-channel bias before BatchNorm is cancelled by the mean subtraction, so it is dropped. */
export function wantsBias(opts: NormOptions): boolean {
  return opts.norm !== 'batch';
}
