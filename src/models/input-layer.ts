/**
 * The base of the first-layer variants (InputConv2D, InputDense), the layer that reads the
 * model's input. Their fused tfjs counterparts compute the gradient with respect to the input
 * every step, which for the first layer is thrown away. Training calls here run the plain op and
 * a separate bias add, whose registered gradients compute only what backpropagation asks for
 * (the kernel and bias); other calls run the fused op. Same math either way.
 *
 * Serialisation keeps the shape arguments, not the initializer: a model restored from JSON takes
 * its weights from the saved values.
 */
import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, type LayerArgs } from './layer-io.ts';

export type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export interface InputLayerArgs extends LayerArgs {
  useBias?: boolean;
  /** Default: He normal, unseeded. */
  kernelInitializer?: Initializer;
}

export abstract class InputLayer<X extends tf.Tensor, W extends tf.Tensor> extends tf.layers.Layer {
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private kernel!: tf.LayerVariable;
  private bias: tf.LayerVariable | null = null;

  constructor(args: InputLayerArgs) {
    super(args);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.heNormal({});
  }

  /** The kernel's shape for an input of `shape`, its last axis the outputs; throws on an input the layer cannot take. */
  protected abstract kernelShape(shape: tf.Shape): number[];

  /** The op of inference calls: the fused product with the bias. */
  protected abstract fused(x: X, kernel: W, bias: tf.Tensor | undefined): tf.Tensor;

  /** The op of training calls, without the bias. */
  protected abstract plain(x: X, kernel: W): tf.Tensor;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const kernelShape = this.kernelShape(singleShape(inputShape));
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [kernelShape[kernelShape.length - 1]], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput<X>(inputs);
      const kernel = this.kernel.read() as W;
      const bias = this.bias?.read();
      if (kwargs?.training !== true) return this.fused(x, kernel, bias);
      const y = this.plain(x, kernel);
      return bias ? tf.add(y, bias) : y;
    });
  }
}
