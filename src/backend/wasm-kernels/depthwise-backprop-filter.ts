/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (missing in stock wasm).
 *
 * dW[kh,kw,c,m] = sum_{n,i,j} xp[n, i*s+kh*d, j*s+kw*d, c] * dy[n,i,j,c*M+m]. Each channel
 * has its own filter, so there is no single conv to hand this to; instead each of the KH*KW
 * taps is one strided slice of the padded input, one broadcast multiply with dy and one sum.
 */
import * as tf from '@tensorflow/tfjs';
import {
  composedKernel, depthwiseInfo, padOrCrop, type DepthwiseGradAttrs, type Shape4D,
} from './tensor-helpers.ts';

type Attrs = DepthwiseGradAttrs & { filterShape: Shape4D };

/** x: [N,H,W,C], dy: [N,OH,OW,C*M] -> dW: [KH,KW,C,M]. NHWC only (as tfjs's op). */
export function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { filterShape } = attrs;
  const info = depthwiseInfo(x.shape, filterShape, attrs);
  const [kh, kw, c, m] = filterShape;
  const [n, h, w] = x.shape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  return tf.tidy(() => {
    const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
    const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
    const xp = padOrCrop(x, [
      [0, 0],
      [padInfo.top, needH - h - padInfo.top],
      [padInfo.left, needW - w - padInfo.left],
      [0, 0],
    ]);
    const dy5 = tf.reshape(dy, [n, oh, ow, c, m]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = tf.stridedSlice(
          xp, [0, i * dh, j * dw, 0], [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, c],
          [1, sh, sw, 1],
        ) as tf.Tensor4D;
        const prod = tf.mul(tf.reshape(tap, [n, oh, ow, c, 1]), dy5);
        taps.push(tf.sum(tf.reshape(prod, [n * oh * ow, c * m]), 0).reshape([c, m]));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, c, m]);
  });
}

export const depthwiseBackpropFilterConfig = composedKernel<Attrs>('DepthwiseConv2dNativeBackpropFilter', (input, attrs) =>
  depthwiseBackpropFilter(input<tf.Rank.R4>('x'), input<tf.Rank.R4>('dy'), attrs));
