/**
 * Conv2DBackpropInput for wasm, composed from XNNPACK Conv2D. Stock wasm has this kernel, but
 * it is a plain loop; the composed version is the same math at XNNPACK speed.
 *
 * dx = conv2d(spread(dy), flip(W) with in/out channels swapped, stride 1, 'valid'), where
 * spread() zero-upsamples dy by the stride and pads it so that every input pixel sees the
 * taps that read it in the forward pass: kh-1-padTop rows on top.
 */
import * as tf from '@tensorflow/tfjs';
import {
  composedKernel, conv2dInfo, fromNHWC, spreadOutputGrad, toNHWC,
  type Conv2DGradAttrs, type Shape4D,
} from './tensor-helpers.ts';

type Attrs = Conv2DGradAttrs & { inputShape: Shape4D };

/** dy: [N,OH,OW,O] (or NCHW), filter: [KH,KW,C,O] -> dx: inputShape ([N,H,W,C] or NCHW). */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { dataFormat, inputShape } = attrs;
  const info = conv2dInfo(inputShape, filter.shape, attrs);
  return tf.tidy(() => {
    const spread = spreadOutputGrad(toNHWC(dy, dataFormat), info);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [KH,KW,O,C]
    return fromNHWC(tf.conv2d(spread, flipped, 1, 'valid'), dataFormat);
  });
}

export const conv2dBackpropInputConfig = composedKernel<Attrs>('Conv2DBackpropInput', (input, attrs) =>
  conv2dBackpropInput(input<tf.Rank.R4>('dy'), input<tf.Rank.R4>('filter'), attrs));
