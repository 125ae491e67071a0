/**
 * Model configurations as the registry receives them: config/schema.ts validates and defaults
 * them, and these types are inferred from it. Each factory takes its own member of the union.
 */
import type { ModelSpec, UserModelSpec } from '../config/schema.ts';

/** Every model configuration: the built-in models' (the registry's) and the user's own (models/user/). */
export type ModelConfig = ModelSpec;
export type BuiltinModelConfig = Exclude<ModelSpec, UserModelSpec>;
export type UserModelConfig = UserModelSpec;
export type MlpConfig = Extract<ModelConfig, { name: 'mlp' }>;
export type CnnConfig = Extract<ModelConfig, { name: 'cnn' }>;
export type ResnetConfig = Extract<ModelConfig, { name: 'resnet' }>;

/** Normalisation after each conv/dense layer. 'layer' on conv features is GroupNorm with one group. */
export type Norm = ModelConfig['norm'];

/**
 * The normalisation settings every model shares: `groups` (GroupNorm, dividing every normalised
 * width), and for norm 'batch' only `ghostBatchSize`, `bnMomentum` (absent = 0.9) and
 * `bnEpsilon` (absent = 1e-5).
 */
export type NormOptions = Pick<ModelConfig, 'norm' | 'groups' | 'ghostBatchSize' | 'bnMomentum' | 'bnEpsilon'>;
