/** The normalisation layer a factory puts after each conv/dense layer, chosen by NormOptions. */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from './batch-norm.ts';
import { GhostBatchNorm } from './ghost-batch-norm.ts';
import { GroupNorm } from './group-norm.ts';
import type { NormOptions } from './types.ts';
import { NORM_EPSILON, batchNormSettings } from './batch-norm-settings.ts';

/**
 * Returns a fresh norm layer for features of `rank` (2 = dense [N, C], 4 = NHWC), or null for
 * 'none'. 'layer' on rank 4 is GroupNorm with one group (normalise over H, W, C with
 * per-channel gamma/beta, as in Wu & He): tfjs LayerNormalization with axis -1 would normalise
 * each pixel across channels only, and with axes [1,2,3] would learn H*W*C gammas.
 */
export function makeNorm(opts: NormOptions, rank: 2 | 4, name: string): tf.layers.Layer | null {
  switch (opts.norm) {
    case 'none':
      return null;
    case 'batch': {
      const settings = batchNormSettings(opts);
      if (opts.ghostBatchSize !== undefined) {
        return new GhostBatchNorm({ ghostBatchSize: opts.ghostBatchSize, ...settings, name });
      }
      return new BatchNorm({ ...settings, name });
    }
    case 'group':
      return new GroupNorm({ groups: opts.groups, epsilon: NORM_EPSILON, name });
    case 'layer':
      if (rank === 4) return new GroupNorm({ groups: 1, epsilon: NORM_EPSILON, name });
      return tf.layers.layerNormalization({ epsilon: NORM_EPSILON, name });
  }
}

/** A per-channel bias before BatchNorm is cancelled by the mean subtraction, so it is dropped. */
export function wantsBias(opts: NormOptions): boolean {
  return opts.norm !== 'batch';
}
