/**
 * CIFAR-style ResNet (He et al., 2016, section 4.2): conv3x3 stem -> norm -> relu, three stages
 * of n basic blocks with widths w, 2w, 4w (stages 2 and 3 start with stride 2), global average
 * pooling, dense. depth = 6n + 2 counts the stem, 6n block convs and the dense layer.
 * Projection shortcuts (1x1 conv, stride 2, + norm) where a block changes shape.
 */
import * as tf from '@tensorflow/tfjs';
import { requireImage } from './cnn.ts';
import { InputConv2D } from './input-conv2d.ts';
import { makeNorm, wantsBias } from './norm-layer.ts';
import { makeSeeder, type Seeder } from './seeds.ts';
import type { ResnetConfig } from './types.ts';

/**
 * `cfg` as config/ validated it (depth 6n+2 and GroupNorm groups dividing w, 2w and 4w are
 * config/rules.ts rules). `inputShape` is [height, width, channels]; the output is
 * [batch, numOutputs] linear logits. Any spatial size works ('same' padding, stride-2 convs round up).
 */
export function buildResnet(cfg: ResnetConfig, inputShape: number[], numOutputs: number, seed: number): tf.LayersModel {
  requireImage('resnet', inputShape);

  const blocksPerStage = (cfg.depth - 2) / 6;
  const b = new Builder(cfg, makeSeeder(seed));
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = b.convNorm(input, cfg.width, 3, 1, 'stem', true);
  x = tf.layers.reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  for (let stage = 1; stage <= 3; stage++) {
    const filters = cfg.width * 2 ** (stage - 1);
    for (let block = 1; block <= blocksPerStage; block++) {
      const stride = stage > 1 && block === 1 ? 2 : 1;
      x = b.basicBlock(x, filters, stride, `s${stage}b${block}`);
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: numOutputs, kernelInitializer: b.seeds.glorot(), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `resnet${cfg.depth}` });
}

class Builder {
  constructor(
    private readonly cfg: ResnetConfig,
    readonly seeds: Seeder,
  ) {}

  convNorm(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string, readsInput = false): tf.SymbolicTensor {
    const conv = {
      filters,
      kernelSize,
      strides,
      padding: 'same' as const,
      useBias: wantsBias(this.cfg),
      kernelInitializer: this.seeds.he(),
      name: `${name}_conv`,
    };
    // The stem reads the images: InputConv2D skips their unused gradient.
    let y = (readsInput ? new InputConv2D(conv) : tf.layers.conv2d(conv)).apply(x) as tf.SymbolicTensor;
    const norm = makeNorm(this.cfg, 4, `${name}_norm`);
    if (norm) y = norm.apply(y) as tf.SymbolicTensor;
    return y;
  }

  basicBlock(x: tf.SymbolicTensor, filters: number, stride: number, name: string): tf.SymbolicTensor {
    let y = this.convNorm(x, filters, 3, stride, `${name}_a`);
    y = tf.layers.reLU({ name: `${name}_a_relu` }).apply(y) as tf.SymbolicTensor;
    y = this.convNorm(y, filters, 3, 1, `${name}_b`);
    const inChannels = x.shape[x.shape.length - 1];
    const shortcut = stride !== 1 || inChannels !== filters ? this.convNorm(x, filters, 1, stride, `${name}_proj`) : x;
    const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
    return tf.layers.reLU({ name: `${name}_relu` }).apply(sum) as tf.SymbolicTensor;
  }
}
