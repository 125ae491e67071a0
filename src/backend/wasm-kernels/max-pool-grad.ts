/**
 * MaxPoolGrad for wasm with first-max semantics, replacing the stock kernel.
 *
 * The stock wasm kernel starts its running max at FLT_MIN (+1.18e-38) instead of -inf, so a
 * window whose values are all <= 0 sends its gradient nowhere: after a ReLU or on negative
 * inputs, most of the gradient is lost. This version matches the cpu backend: the gradient of
 * each window goes to the first position (row-major within the window) holding the window's
 * maximum, and padded cells never win. Like the cpu kernel it reads the maximum from `input`
 * and ignores `output`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  inputTensor, padOrCrop, zeroUpsample, type Pad, type Pair, type RoundingMode,
} from './tensor-helpers.ts';

interface Attrs {
  filterSize: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: RoundingMode;
}

/** dy: [N,OH,OW,C], x: [N,H,W,C] -> dx: [N,H,W,C]. */
export function maxPoolGrad(dy: tf.Tensor4D, x: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  return kh === sh && kw === sw ? tilingGrad(dy, x, info) : overlappingGrad(dy, x, info);
}

/**
 * Windows that tile the input (stride == filter size, the usual 2x2/2 pool): reshape the input
 * into windows, take the first argmax per window and scatter dy with a one-hot mask.
 */
function tilingGrad(dy: tf.Tensor4D, x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: k1, filterWidth: k2, outHeight: oh, outWidth: ow, padInfo } = info;
  const [n, h, w, c] = x.shape;
  const rows: [number, number] = [padInfo.top, oh * k1 - h - padInfo.top];
  const cols: [number, number] = [padInfo.left, ow * k2 - w - padInfo.left];
  return tf.tidy(() => {
    const xp = padOrCrop(x, [[0, 0], rows, cols, [0, 0]], -Infinity);
    const windows: tf.Tensor5D = tf.reshape(
      tf.transpose(tf.reshape(xp, [n, oh, k1, ow, k2, c]), [0, 1, 3, 5, 2, 4]),
      [n, oh, ow, c, k1 * k2],
    );
    // ArgMax returns the first index of the maximum, i.e. the cpu kernel's tie-break.
    // (wasm's OneHot writes zeros when asked for float32 output, hence int32 and a cast.)
    const winner = tf.cast(tf.oneHot(tf.argMax(windows, 4), k1 * k2), 'float32');
    const g = tf.mul(winner, tf.reshape(dy, [n, oh, ow, c, 1]));
    const placed: tf.Tensor4D = tf.reshape(
      tf.transpose(tf.reshape(g, [n, oh, ow, c, k1, k2]), [0, 1, 4, 2, 5, 3]),
      [n, oh * k1, ow * k2, c],
    );
    return padOrCrop(placed, [[0, 0], [-rows[0], -rows[1]], [-cols[0], -cols[1]], [0, 0]]);
  });
}

/**
 * Any geometry: visit the window taps in row-major order; a tap gets the gradient where it
 * equals the window maximum and no earlier tap has claimed it. Each tap's share is spread back
 * onto the padded input grid and summed.
 */
function overlappingGrad(dy: tf.Tensor4D, x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  const [n, h, w, c] = x.shape;
  const needH = kh + (oh - 1) * sh;
  const needW = kw + (ow - 1) * sw;
  const rows: [number, number] = [padInfo.top, needH - h - padInfo.top];
  const cols: [number, number] = [padInfo.left, needW - w - padInfo.left];
  return tf.tidy(() => {
    const xp = padOrCrop(x, [[0, 0], rows, cols, [0, 0]], -Infinity);
    const tap = (i: number, j: number) =>
      tf.stridedSlice(
        xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1],
      ) as tf.Tensor4D;
    // The loops below dispose as they go so that only O(1) full-size tensors stay alive.
    let windowMax = tap(0, 0);
    for (let t = 1; t < kh * kw; t++) {
      const next: tf.Tensor4D = tf.tidy(() => tf.maximum(windowMax, tap(Math.floor(t / kw), t % kw)));
      windowMax.dispose();
      windowMax = next;
    }
    const zeros = tf.zerosLike(dy);
    let claimed: tf.Tensor | null = null;
    let acc: tf.Tensor4D | null = null;
    for (let t = 0; t < kh * kw; t++) {
      const [i, j] = [Math.floor(t / kw), t % kw];
      const prevClaimed: tf.Tensor | null = claimed;
      const prevAcc: tf.Tensor4D | null = acc;
      [claimed, acc] = tf.tidy((): [tf.Tensor, tf.Tensor4D] => {
        const hit = tf.equal(tap(i, j), windowMax);
        const first = prevClaimed ? tf.logicalAnd(hit, tf.logicalNot(prevClaimed)) : hit;
        const up = zeroUpsample(tf.where(first, dy, zeros), sh, sw);
        const placed = padOrCrop(up, [
          [0, 0], [i, needH - i - up.shape[1]], [j, needW - j - up.shape[2]], [0, 0],
        ]);
        return [
          prevClaimed ? tf.logicalOr(prevClaimed, hit) : hit,
          prevAcc ? tf.add(prevAcc, placed) : placed,
        ];
      });
      tf.dispose([prevClaimed ?? [], prevAcc ?? []]);
    }
    return padOrCrop(acc as tf.Tensor4D, [[0, 0], [-rows[0], -rows[1]], [-cols[0], -cols[1]], [0, 0]]);
  });
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) =>
    tf.tidy(() =>
      maxPoolGrad(inputTensor<tf.Rank.R4>(inputs, 'dy'), inputTensor<tf.Rank.R4>(inputs, 'input'), attrs as unknown as Attrs),
    ),
};
