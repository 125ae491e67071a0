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
 *
 * Serialisation keeps units and useBias, not the initializer: a model restored from JSON takes
 * its weights from the saved values.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export interface InputDenseArgs extends LayerArgs {
  units: number;
  useBias?: boolean;
  /** Default: He normal, unseeded. */
  kernelInitializer?: Initializer;
}

export class InputDense extends tf.layers.Layer {
  static className = 'BatchlabInputDense';
  readonly units: number;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private kernel!: tf.LayerVariable;
  private bias: tf.LayerVariable | null = null;

  constructor(args: InputDenseArgs) {
    super(args);
    this.units = args.units;
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.heNormal({});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[1];
    if (shape.length !== 2 || features == null) {
      throw new InternalError(`InputDense needs [batch, features] input with a known feature count, got ${JSON.stringify(shape)}`);
    }
    this.kernel = this.addWeight('kernel', [features, this.units], 'float32', this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const w = this.kernel.read() as tf.Tensor2D;
      const bias = this.bias?.read();
      if (kwargs?.training !== true) return tf.fused.matMul({ a: x, b: w, bias });
      const y = tf.matMul(x, w);
      return bias ? tf.add(y, bias) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, useBias: this.useBias };
  }
}
tf.serialization.registerClass(InputDense);
