/**
 * A dense layer for a model's first layer on vectors ([batch, features] in), as a serialisable
 * tfjs layer: y = x W + b.
 *
 * tf.layers.dense without a fused activation runs tf.fused.matMul, whose custom gradient
 * computes the gradients of both operands every step; for the first layer the gradient with
 * respect to the input batch is thrown away. On an MLP 784-256-... at batch 1024 that product,
 * [1024,256] x [256,784], is ~13 ms of a ~57 ms wasm step. This layer runs tf.matMul (and a
 * separate bias add) in training calls, whose registered gradients compute only what
 * backpropagation asks for; other calls run the fused product. Same math as tf.layers.dense.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';
import { InputLayer, type InputLayerArgs } from './input-layer.ts';
import { singleShape } from './layer-io.ts';

export interface InputDenseArgs extends InputLayerArgs {
  units: number;
}

export class InputDense extends InputLayer<tf.Tensor2D, tf.Tensor2D> {
  static className = 'BatchlabInputDense';
  readonly units: number;

  constructor(args: InputDenseArgs) {
    super(args);
    this.units = args.units;
  }

  protected override kernelShape(shape: tf.Shape): number[] {
    const features = shape[1];
    if (shape.length !== 2 || features == null) {
      throw new InternalError(`InputDense needs [batch, features] input with a known feature count, got ${JSON.stringify(shape)}`);
    }
    return [features, this.units];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [singleShape(inputShape)[0], this.units];
  }

  protected override fused(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor | undefined): tf.Tensor {
    return tf.fused.matMul({ a, b, bias });
  }

  protected override plain(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor {
    return tf.matMul(x, w);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, useBias: this.useBias };
  }
}
tf.serialization.registerClass(InputDense);
