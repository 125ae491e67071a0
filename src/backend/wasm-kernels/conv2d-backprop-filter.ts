/**
 * Conv2DBackpropFilter for wasm (stock wasm has no such kernel, so conv2d cannot train).
 *
 * dW[kh,kw,c,o] = sum_{n,i,j} xp[n, i*s+kh, j*s+kw, c] * dy[n,i,j,o] is itself a convolution:
 * treat the input channels C as the batch, the batch N as the contraction channel, and dy's
 * spatial extent as a filter dilated by the forward stride. That runs on wasm's XNNPACK Conv2D.
 */
import * as tf from '@tensorflow/tfjs';
import {
  inputTensor, padOrCrop, shapeToNHWC, toNHWC,
  type Pad, type Pair, type RoundingMode,
} from './tensor-helpers.ts';

interface Attrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: RoundingMode;
  filterShape: [number, number, number, number];
}

/**
 * x: [N,H,W,C] (or NCHW), dy: [N,OH,OW,O] -> dW: [KH,KW,C,O]. Dilation 1 (as tfjs's conv2d
 * gradient requires).
 */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape, filterShape, strides, 1, pad, dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
  const [kh, kw] = filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo } = info;
  return tf.tidy(() => {
    const xs = toNHWC(x, dataFormat);
    const dys = toNHWC(dy, dataFormat);
    const [, h, w] = shapeToNHWC(x.shape, dataFormat);
    // Keep exactly the rows/columns some tap reads: kh + (oh-1)*sh of the padded input.
    const needH = kh + (oh - 1) * sh;
    const needW = kw + (ow - 1) * sw;
    const xp = padOrCrop(xs, [
      [0, 0],
      [padInfo.top, needH - h - padInfo.top],
      [padInfo.left, needW - w - padInfo.left],
      [0, 0],
    ]);
    const input = tf.transpose(xp, [3, 1, 2, 0]); // [C, needH, needW, N]
    const filter = tf.transpose(dys, [1, 2, 0, 3]); // [OH, OW, N, O]
    const dw = tf.conv2d(input, filter, 1, 'valid', 'NHWC', [sh, sw]); // [C, KH, KW, O]
    return tf.transpose(dw, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() =>
      conv2dBackpropFilter(
        inputTensor<tf.Rank.R4>(inputs, 'x'),
        inputTensor<tf.Rank.R4>(inputs, 'dy'),
        attrs as unknown as Attrs,
      ),
    ),
};
