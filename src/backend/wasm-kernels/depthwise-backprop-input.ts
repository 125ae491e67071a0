/**
 * DepthwiseConv2dNativeBackpropInput for wasm (missing in stock wasm).
 *
 * As for conv2d: zero-upsample dy by the stride, pad it by (KH-1)*d - padTop on top, and run a
 * stride-1 depthwise conv (XNNPACK) with the spatially flipped filter, one filter per dy
 * channel c*M+m; summing the M outputs that belong to input channel c gives dx.
 */
import * as tf from '@tensorflow/tfjs';
import {
  composedKernel, depthwiseInfo, spreadOutputGrad, type DepthwiseGradAttrs, type Shape4D,
} from './tensor-helpers.ts';

type Attrs = DepthwiseGradAttrs & { inputShape: Shape4D };

/** dy: [N,OH,OW,C*M], filter: [KH,KW,C,M] -> dx: inputShape [N,H,W,C]. */
export function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { inputShape } = attrs;
  const info = depthwiseInfo(inputShape, filter.shape, attrs);
  const [kh, kw, c, m] = filter.shape;
  const [n, h, w] = inputShape;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  return tf.tidy(() => {
    const spread = spreadOutputGrad(dy, info);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
    const perChannel = tf.depthwiseConv2d(spread, flipped, 1, 'valid', 'NHWC', [dh, dw]);
    if (m === 1) return perChannel;
    return tf.sum(tf.reshape(perChannel, [n, h, w, c, m]), 4) as tf.Tensor4D;
  });
}

export const depthwiseBackpropInputConfig = composedKernel<Attrs>('DepthwiseConv2dNativeBackpropInput', (input, attrs) =>
  depthwiseBackpropInput(input<tf.Rank.R4>('dy'), input<tf.Rank.R4>('filter'), attrs));
