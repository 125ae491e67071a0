/**
 * Conv2DBackpropFilter for wasm (stock wasm has no such kernel, so conv2d cannot train).
 *
 * dW[kh,kw,c,o] = sum_{n,i,j} xp[n, i*s+kh, j*s+kw, c] * dy[n,i,j,o] is one matrix product:
 * patches^T [KH*KW*C, N*OH*OW] x dy [N*OH*OW, O], whose [KH*KW*C, O] result is already dW's
 * memory layout. The transposed patch matrix is written in JavaScript straight into the wasm
 * heap (each row is one tap of one input channel, read across the whole batch), so the product
 * runs on XNNPACK's untransposed GEMM with no transpose on either side.
 *
 * For a few input channels this beats the formulation as one dilated XNNPACK convolution
 * (channels as the batch, the batch as the contraction, dy as a filter), which that
 * convolution runs poorly when its output, KH*KW*C values per filter, is tiny: a small CNN's
 * first layer (3x3, C=1) at batch 64 took ~8 ms that way and ~4 ms here. With more channels the
 * dilated convolution is the faster one (3x3, C=16: ~7 ms against ~9 ms here: the patch matrix
 * is 9x the input and JavaScript writes it at ~2-4 ns a value), so both are kept.
 */
import * as tf from '@tensorflow/tfjs';
import { heapBackend, type WasmHeapBackend } from './heap-access.ts';
import {
  composedKernel, conv2dInfo, padOrCrop, toNHWC, type Conv2DGradAttrs, type Shape4D,
} from './tensor-helpers.ts';

type Attrs = Conv2DGradAttrs & { filterShape: Shape4D };

/** Below this many rows (KH*KW*C), the patch-matrix product beats the dilated convolution. */
const MAX_PATCH_ROWS = 32;

/** Largest patch matrix built at once, in floats (16 MB); larger batches are done in chunks. */
const MAX_PATCH_FLOATS = 4 << 20;

/**
 * Writes patches^T for images [b0, b0+nb) into `out`, a row-major [KH*KW*C, nb*OH*OW] matrix;
 * taps that fall on padding read 0. `xPlanar` is the input channel-major, [C, N*H*W]: each
 * patch row then reads one channel plane along its rows, which is several times faster than
 * picking one channel out of every NHWC pixel.
 */
export function im2rowsTransposed(
  xPlanar: Float32Array, out: Float32Array, info: tf.backend_util.Conv2DInfo, b0: number, nb: number,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const cols = nb * oh * ow;
  const plane = n * h * w;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // Output columns whose tap lands inside the image: ix = ox*sw + kx - left in [0, w).
      const left = kx - padInfo.left;
      const oxLo = Math.min(ow, Math.max(0, Math.ceil(-left / sw)));
      const oxHi = Math.max(oxLo, Math.min(ow, Math.floor((w - 1 - left) / sw) + 1));
      for (let ch = 0; ch < c; ch++) {
        let d = ((ky * kw + kx) * c + ch) * cols;
        for (let b = b0; b < b0 + nb; b++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh + ky - padInfo.top;
            if (iy < 0 || iy >= h) {
              out.fill(0, d, d + ow);
              d += ow;
              continue;
            }
            let ox = 0;
            for (; ox < oxLo; ox++) out[d++] = 0;
            let s = ch * plane + (b * h + iy) * w + oxLo * sw + left;
            for (; ox < oxHi; ox++, s += sw) out[d++] = xPlanar[s];
            for (; ox < ow; ox++) out[d++] = 0;
          }
        }
      }
    }
  }
}

/** A float32 tensor as is (a cast to the same dtype would copy it on wasm), anything else cast. */
function asFloat32<T extends tf.Tensor>(t: T): T {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/** patches^T for a batch chunk as a tensor on the wasm heap ([KH*KW*C, nb*OH*OW]). */
function patchesT(heap: WasmHeapBackend, xPlanar: tf.Tensor, info: tf.backend_util.Conv2DInfo, b0: number, nb: number): tf.Tensor2D {
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const out = heap.makeOutput([rows, nb * info.outHeight * info.outWidth], 'float32');
  im2rowsTransposed(heap.typedArrayFromHeap(xPlanar) as Float32Array, heap.typedArrayFromHeap(out) as Float32Array, info, b0, nb);
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor2D;
}

/**
 * x: [N,H,W,C] (or NCHW), dy: [N,OH,OW,O] (or NCHW), float32 -> dW: [KH,KW,C,O]. Dilation 1
 * (as tfjs's conv2d gradient requires). Runs on the wasm backend only (it writes its heap).
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Attrs, backend: unknown,
  opts: { maxPatchRows?: number; maxPatchFloats?: number } = {},
): tf.Tensor4D {
  const { dataFormat, filterShape } = attrs;
  const info = conv2dInfo(x.shape, filterShape, attrs);
  if (filterShape[0] * filterShape[1] * filterShape[2] > (opts.maxPatchRows ?? MAX_PATCH_ROWS)) {
    return dilatedConvGrad(x, dy, dataFormat, info);
  }
  const maxPatchFloats = opts.maxPatchFloats ?? MAX_PATCH_FLOATS;
  const heap = heapBackend(backend);
  return tf.tidy(() => {
    const xs = asFloat32(toNHWC(x, dataFormat));
    // [C, N*H*W]; a reshape (no copy) when C is 1.
    const xPlanar = tf.transpose(tf.reshape(xs, [-1, info.inChannels]));
    const dys = asFloat32(toNHWC(dy, dataFormat));
    const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: o } = info;
    const perImage = filterShape[0] * filterShape[1] * filterShape[2] * oh * ow;
    const chunk = Math.max(1, Math.min(n, Math.floor(maxPatchFloats / Math.max(1, perImage))));
    let dw: tf.Tensor2D | null = null;
    for (let b0 = 0; b0 < n; b0 += chunk) {
      const nb = Math.min(chunk, n - b0);
      const prev: tf.Tensor2D | null = dw;
      dw = tf.tidy((): tf.Tensor2D => {
        const rows = nb === n ? dys : tf.slice(dys, [b0, 0, 0, 0], [nb, oh, ow, o]);
        const part: tf.Tensor2D = tf.matMul(patchesT(heap, xPlanar, info, b0, nb), tf.reshape(rows, [nb * oh * ow, o]));
        return prev ? tf.add(prev, part) : part;
      });
      prev?.dispose();
    }
    return tf.reshape(dw as tf.Tensor2D, filterShape);
  });
}

/**
 * The same product as one XNNPACK Conv2D: the input channels become the batch, the batch the
 * contraction channel, and dy a filter dilated by the forward stride.
 */
function dilatedConvGrad(
  x: tf.Tensor4D, dy: tf.Tensor4D, dataFormat: string | undefined, info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  return tf.tidy(() => {
    const xs = toNHWC(x, dataFormat);
    const dys = toNHWC(dy, dataFormat);
    const [, h, w] = xs.shape;
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

export const conv2dBackpropFilterConfig = composedKernel<Attrs>('Conv2DBackpropFilter', (input, attrs, backend) =>
  conv2dBackpropFilter(input<tf.Rank.R4>('x'), input<tf.Rank.R4>('dy'), attrs, backend));
