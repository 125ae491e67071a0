/**
 * MaxPoolGrad for wasm with first-max semantics, replacing the stock kernel.
 *
 * The stock wasm kernel starts its running max at FLT_MIN (+1.18e-38) instead of -inf, so a
 * window whose values are all <= 0 sends its gradient nowhere: after a ReLU or on negative
 * inputs, most of the gradient is lost. This version matches the cpu backend: the gradient of
 * each window goes to the first position (row-major within the window) holding the window's
 * strict maximum, padded cells never win, and a window with no value above -inf (all -inf or
 * NaN) sends nothing. Like the cpu kernel it reads the maximum from `input` and ignores
 * `output`.
 *
 * It runs as one JavaScript pass over the wasm heap: per window, find the winner and add dy to
 * it. Composing the same rule from tfjs ops (argMax, oneHot, mask products and transposes)
 * made ~10 full-size passes and cost ~7 ms per pooling layer of a small CNN at batch 64; the
 * direct pass reads x once and writes dx once.
 */
import type * as tf from '@tensorflow/tfjs';
import * as tfc from '@tensorflow/tfjs';
import { InternalError } from '../../errors.ts';
import { heapBackend } from './heap-access.ts';
import type { Pad, Pair, RoundingMode } from './tensor-helpers.ts';

interface Attrs {
  filterSize: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: RoundingMode;
}

/**
 * dx[n,h,w,c] = sum of dy[n,oy,ox,c] over the windows whose first maximum is (h,w).
 * x, dx: [N,H,W,C]; dy: [N,OH,OW,C], all float32 and contiguous NHWC.
 */
export function maxPoolGradInto(
  x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const windowsInside = info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth;
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0 && windowsInside) {
    maxPool2x2GradInto(x, dy, dx, info);
    return;
  }
  dx.fill(0);
  const rowStride = w * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - padInfo.top;
      const yLo = Math.max(0, y0);
      const yHi = Math.min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - padInfo.left;
        const xLo = Math.max(0, x0);
        const xHi = Math.min(w, x0 + kw);
        const corner = ((b * h + yLo) * w + xLo) * c;
        const g = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          // Row-major over the window with a strict '>' keeps the first maximum.
          let best = -Infinity;
          let where = -1;
          for (let yy = yLo, row = corner + ch; yy < yHi; yy++, row += rowStride) {
            for (let xx = xLo, at = row; xx < xHi; xx++, at += c) {
              const v = x[at];
              if (v > best) {
                best = v;
                where = at;
              }
            }
          }
          if (where >= 0) dx[where] += dy[g + ch];
        }
      }
    }
  }
}

/**
 * The common 2x2, stride 2 case with every window inside the input: the windows tile it, so each window writes
 * all four of its cells (dy to the first maximum, 0 elsewhere) and dx needs no clearing pass;
 * only a last odd row or column, which no window covers, is zeroed.
 */
function maxPool2x2GradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const rowStride = w * c;
  if (oh * 2 !== h || ow * 2 !== w) dx.fill(0);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      let top = (b * h + oy * 2) * rowStride;
      let g = ((b * oh + oy) * ow) * c;
      for (let ox = 0; ox < ow; ox++, top += 2 * c, g += c) {
        for (let ch = 0; ch < c; ch++) {
          const p0 = top + ch;
          const p1 = p0 + c;
          const p2 = p0 + rowStride;
          const p3 = p2 + c;
          const v0 = x[p0], v1 = x[p1], v2 = x[p2], v3 = x[p3];
          // First strict maximum in row-major order; a window with no value above -inf gets nothing.
          let best = -Infinity;
          let k = -1;
          if (v0 > best) { best = v0; k = 0; }
          if (v1 > best) { best = v1; k = 1; }
          if (v2 > best) { best = v2; k = 2; }
          if (v3 > best) k = 3;
          const d = dy[g + ch];
          dx[p0] = k === 0 ? d : 0;
          dx[p1] = k === 1 ? d : 0;
          dx[p2] = k === 2 ? d : 0;
          dx[p3] = k === 3 ? d : 0;
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs;
    if (dy == null || input == null) {
      throw new InternalError('MaxPoolGrad needs inputs dy and input');
    }
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as Attrs;
    const info = tfc.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode,
    );
    const heap = heapBackend(backend);
    // makeOutput may grow the heap, which detaches earlier views: take the views after it.
    const out = heap.makeOutput(input.shape.slice(), 'float32');
    maxPoolGradInto(
      heap.typedArrayFromHeap(input) as Float32Array,
      heap.typedArrayFromHeap(dy) as Float32Array,
      heap.typedArrayFromHeap(out) as Float32Array,
      info,
    );
    return out;
  },
};
