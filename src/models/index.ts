/**
 * The model registry: factories with explicit arguments, nothing built at import time.
 * Every model outputs linear logits [batch, numOutputs] (no softmax).
 */
import type * as tf from '@tensorflow/tfjs';
import { buildCnn } from './cnn.ts';
import { buildMlp } from './mlp.ts';
import { buildResnet } from './resnet.ts';
import { InternalError } from '../errors.ts';
import type { BuiltinModelConfig, ModelConfig } from './types.ts';

export type { BuiltinModelConfig, CnnConfig, MlpConfig, ModelConfig, UserModelConfig, Norm, NormOptions, ResnetConfig } from './types.ts';
export { GroupNorm, groupNormalize } from './group-norm.ts';
export { GhostBatchNorm, ghostNormalize } from './ghost-batch-norm.ts';
export { BatchNorm } from './batch-norm.ts';
export { batchNormTrain } from './batch-norm-train.ts';

/**
 * `inputShape` is one example's shape without the batch axis; `seed` fixes every initializer
 * (not dropout masks, which follow the global random state).
 */
export interface ModelEntry<C extends BuiltinModelConfig> {
  build(cfg: C, inputShape: number[], numOutputs: number, seed: number): tf.LayersModel;
  describe: string;
}

type Registry = { [K in BuiltinModelConfig['name']]: ModelEntry<Extract<BuiltinModelConfig, { name: K }>> };

export const MODELS = {
  mlp: {
    build: buildMlp,
    describe: 'MLP: flatten, then dense -> norm -> activation -> dropout per hidden width, dense logits',
  },
  cnn: {
    build: buildCnn,
    describe: 'CNN: conv k x k -> norm -> relu -> pool 2 per channel count, global average pool, dropout, dense logits',
  },
  resnet: {
    build: buildResnet,
    describe: 'CIFAR ResNet (depth 6n+2): 3x3 stem, 3 stages of n basic blocks at widths w, 2w, 4w, global average pool, dense logits',
  },
} as const satisfies Registry;

export type ModelName = keyof typeof MODELS;

/**
 * Builds `cfg.name`'s model from settings config/ has validated (shapes and ranges in the schema,
 * cross-field rules in config/rules.ts). Throws UsageError only for what depends on the data:
 * a cnn with more pooled stages than the image size allows (model.channels).
 */
export function buildModel(cfg: ModelConfig, inputShape: number[], numOutputs: number, seed: number): tf.LayersModel {
  if (!Object.hasOwn(MODELS, cfg.name)) throw new InternalError(`buildModel builds the built-in models; ${cfg.name} models are built by models/user (buildUserModel)`);
  const entry = MODELS[cfg.name as BuiltinModelConfig['name']] as ModelEntry<BuiltinModelConfig>;
  return entry.build(cfg as BuiltinModelConfig, inputShape, numOutputs, seed);
}

/**
 * Any model a run names: a built-in one from the registry, or the user's own (models/user/),
 * which reads files and may import a module, hence async.
 */
export async function buildRunModel(cfg: ModelConfig, inputShape: number[], numOutputs: number, seed: number): Promise<tf.LayersModel> {
  if (cfg.name === 'layers' || cfg.name === 'module') {
    const { buildUserModel } = await import('./user/build-user-model.ts');
    return buildUserModel(cfg, inputShape, numOutputs, seed);
  }
  return buildModel(cfg, inputShape, numOutputs, seed);
}
