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
  inputTensor, fromNHWC, padOrCrop, shapeToNHWC, toNHWC, zeroUpsample,
  type Pad, type Pair, type RoundingMode,
} from './tensor-helpers.ts';

interface Attrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: RoundingMode;
  inputShape: [number, number, number, number];
}

/** dy: [N,OH,OW,O] (or NCHW), filter: [KH,KW,C,O] -> dx: inputShape ([N,H,W,C] or NCHW). */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
  const [kh, kw] = filter.shape;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const [, h, w] = shapeToNHWC(inputShape, dataFormat);
  return tf.tidy(() => {
    const up = zeroUpsample(toNHWC(dy, dataFormat), sh, sw);
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    // A 'valid' conv with a kh x kw filter over (h + kh - 1) rows yields exactly h rows.
    const spread = padOrCrop(up, [
      [0, 0],
      [top, h + kh - 1 - top - up.shape[1]],
      [left, w + kw - 1 - left - up.shape[2]],
      [0, 0],
    ]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [KH,KW,O,C]
    return fromNHWC(tf.conv2d(spread, flipped, 1, 'valid'), dataFormat);
  });
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() =>
      conv2dBackpropInput(
        inputTensor<tf.Rank.R4>(inputs, 'dy'),
        inputTensor<tf.Rank.R4>(inputs, 'filter'),
        attrs as unknown as Attrs,
      ),
    ),
};
