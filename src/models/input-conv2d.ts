/**
 * A 2-D convolution (NHWC, dilation 1) for a model's first layer, the one that reads the input
 * images, as a serialisable tfjs layer.
 *
 * tf.layers.conv2d runs tf.fused.conv2d, whose custom gradient computes the gradients of both
 * the filter and the input every step. For the first layer the input gradient (with respect to
 * the images) is thrown away; on a 28x28 CNN at batch 64 on wasm it is one full 3x3
 * convolution of the first activation, ~4 ms of a ~60 ms step. This layer runs tf.conv2d (and
 * a separate bias add) in training calls: their registered gradients compute only what
 * backpropagation asks for, here the filter and bias. Other calls run the fused convolution.
 * The forward math and the kernels are those of tf.layers.conv2d.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';
import { InputLayer, type InputLayerArgs } from './input-layer.ts';
import { singleShape } from './layer-io.ts';

export interface InputConv2DArgs extends InputLayerArgs {
  filters: number;
  /** Square kernel side. */
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
}

export class InputConv2D extends InputLayer<tf.Tensor4D, tf.Tensor4D> {
  static className = 'BatchlabInputConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';

  constructor(args: InputConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'valid';
  }

  protected override kernelShape(shape: tf.Shape): number[] {
    const channels = shape[3];
    if (shape.length !== 4 || channels == null) {
      throw new InternalError(`InputConv2D needs NHWC input with a known channel count, got ${JSON.stringify(shape)}`);
    }
    return [this.kernelSize, this.kernelSize, channels, this.filters];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = singleShape(inputShape);
    const side = (d: number | null) => {
      if (d == null) return null;
      return this.padding === 'same' ? Math.ceil(d / this.strides) : Math.floor((d - this.kernelSize) / this.strides) + 1;
    };
    return [n, side(h), side(w), this.filters];
  }

  protected override fused(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor | undefined): tf.Tensor {
    return tf.fused.conv2d({ x, filter, strides: this.strides, pad: this.padding, bias });
  }

  protected override plain(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor {
    return tf.conv2d(x, filter, this.strides, this.padding);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(InputConv2D);
