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
 *
 * Serialisation keeps the shape arguments, not the initializer: a model restored from JSON
 * takes its weights from the saved values.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export interface InputConv2DArgs extends LayerArgs {
  filters: number;
  /** Square kernel side. */
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
  /** Default: He normal, unseeded. */
  kernelInitializer?: Initializer;
}

export class InputConv2D extends tf.layers.Layer {
  static className = 'BatchlabInputConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private kernel!: tf.LayerVariable;
  private bias: tf.LayerVariable | null = null;

  constructor(args: InputConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'valid';
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.heNormal({});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[3];
    if (shape.length !== 4 || channels == null) {
      throw new InternalError(`InputConv2D needs NHWC input with a known channel count, got ${JSON.stringify(shape)}`);
    }
    this.kernel = this.addWeight('kernel', [this.kernelSize, this.kernelSize, channels, this.filters], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const side = (d: number | null) => {
      if (d == null) return null;
      return this.padding === 'same' ? Math.ceil(d / this.strides) : Math.floor((d - this.kernelSize) / this.strides) + 1;
    };
    return [n, side(h), side(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const filter = this.kernel.read() as tf.Tensor4D;
      const bias = this.bias?.read();
      if (kwargs?.training !== true) {
        return tf.fused.conv2d({ x, filter, strides: this.strides, pad: this.padding, bias });
      }
      const y = tf.conv2d(x, filter, this.strides, this.padding);
      return bias ? tf.add(y, bias) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(InputConv2D);
