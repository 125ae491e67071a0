/**
 * BatchNorm's momentum and epsilon when the spec gives none (model.bnMomentum / model.bnEpsilon).
 * 0.9 is PyTorch's momentum 0.1. tfjs-layers' own default, 0.99, leaves the moving statistics
 * dominated by their 0/1 start for hundreds of steps, which spoils inference-mode results of short
 * runs at large batches. No tfjs import, so results/ can record the values without loading tfjs.
 */
import type { NormOptions } from './types.ts';

export const BATCH_NORM_MOMENTUM = 0.9;
export const NORM_EPSILON = 1e-5;

export interface BatchNormSettings {
  momentum: number;
  epsilon: number;
}

/** The BatchNorm momentum and epsilon a model built from `opts` uses. */
export function batchNormSettings(opts: Pick<NormOptions, 'bnMomentum' | 'bnEpsilon'>): BatchNormSettings {
  return { momentum: opts.bnMomentum ?? BATCH_NORM_MOMENTUM, epsilon: opts.bnEpsilon ?? NORM_EPSILON };
}
