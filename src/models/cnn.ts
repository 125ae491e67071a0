/**
 * Plain CNN: per channel count c, conv(k x k, 'same') -> norm -> relu -> pool(2, 'valid');
 * then global average pooling -> dropout -> dense.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError, UsageError } from '../errors.ts';
import { InputConv2D } from './input-conv2d.ts';
import { makeNorm, wantsBias } from './norm-layer.ts';
import { makeSeeder } from './seeds.ts';
import type { CnnConfig } from './types.ts';

/**
 * `inputShape` is [height, width, channels] (NHWC without the batch axis); the output is
 * [batch, numOutputs] linear logits. Each pooled stage floors H and W by 2, so the input must
 * be at least 2^stages pixels on each side when pooling is on.
 */
export function buildCnn(cfg: CnnConfig, inputShape: number[], numOutputs: number, seed: number): tf.LayersModel {
  requireImage('cnn', inputShape);
  // The one check the schema cannot make: it depends on the dataset's image size.
  if (cfg.pooling !== 'none') {
    const side = Math.min(inputShape[0], inputShape[1]);
    if (side < 2 ** cfg.channels.length) {
      throw new UsageError('invalid cnn configuration', [{
        path: 'model.channels',
        message: `${cfg.channels.length} pooled stages need inputs of at least ${2 ** cfg.channels.length} pixels a side, got ${side}`,
      }]);
    }
  }

  const seeds = makeSeeder(seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x: tf.SymbolicTensor = input;
  cfg.channels.forEach((filters, i) => {
    const stage = i + 1;
    const conv = {
      filters,
      kernelSize: cfg.kernelSize,
      padding: 'same' as const,
      useBias: wantsBias(cfg),
      kernelInitializer: seeds.he(),
      name: `conv${stage}`,
    };
    // The first convolution reads the images: InputConv2D skips their unused gradient.
    x = (i === 0 ? new InputConv2D(conv) : tf.layers.conv2d(conv)).apply(x) as tf.SymbolicTensor;
    const norm = makeNorm(cfg, 4, `norm${stage}`);
    if (norm) x = norm.apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${stage}` }).apply(x) as tf.SymbolicTensor;
    if (cfg.pooling === 'max') x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${stage}` }).apply(x) as tf.SymbolicTensor;
    if (cfg.pooling === 'avg') x = tf.layers.averagePooling2d({ poolSize: 2, name: `pool${stage}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  // Unseeded on purpose: a fixed dropout seed would repeat one mask every step.
  if (cfg.dropout > 0) x = tf.layers.dropout({ rate: cfg.dropout, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: numOutputs, kernelInitializer: seeds.glorot(), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'cnn' });
}

/**
 * Conv models take images [height, width, channels]; config/rules.ts (convNeedsImages) refuses
 * them on vector data, so any other shape here is a bug.
 */
export function requireImage(model: string, inputShape: number[]): void {
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InternalError(`${model} needs image input [height, width, channels], got ${JSON.stringify(inputShape)}`);
  }
}
