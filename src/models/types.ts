/** Model configurations as the registry receives them (already validated and defaulted by config/). */

/** Normalisation after each conv/dense layer. 'layer' on conv features is GroupNorm with one group. */
export type Norm = 'none' | 'batch' | 'group' | 'layer';

export interface NormOptions {
  norm: Norm;
  /** Channel groups for norm 'group'; must divide every normalised width. */
  groups: number;
  /** Only for norm 'batch': normalise training batches in chunks of this many examples. */
  ghostBatchSize?: number;
  /** Only for norm 'batch': weight of the old moving statistic per update; absent = 0.9. */
  bnMomentum?: number;
  /** Only for norm 'batch': added to the variance; absent = 1e-5. */
  bnEpsilon?: number;
}

export type MlpConfig = {
  name: 'mlp';
  /** Widths of the hidden dense layers, input side first. */
  hidden: number[];
  activation: 'relu' | 'tanh' | 'gelu' | 'elu';
  /** Drop probability after each hidden activation, in [0, 1). */
  dropout: number;
} & NormOptions;

export type CnnConfig = {
  name: 'cnn';
  /** Output channels of each conv stage; each stage halves H and W unless pooling is 'none'. */
  channels: number[];
  pooling: 'max' | 'avg' | 'none';
  /** Odd or even square kernel side, 'same' padding. */
  kernelSize: number;
  /** Drop probability before the output layer, in [0, 1). */
  dropout: number;
} & NormOptions;

export type ResnetConfig = {
  name: 'resnet';
  /** 6n+2 layers: n basic blocks in each of 3 stages (8, 14, 20, ...). */
  depth: number;
  /** Channels of the first stage; later stages use 2x and 4x. */
  width: number;
} & NormOptions;

export type ModelConfig = MlpConfig | CnnConfig | ResnetConfig;
