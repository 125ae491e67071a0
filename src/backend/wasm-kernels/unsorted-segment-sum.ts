/**
 * UnsortedSegmentSum for wasm (missing in stock wasm; tf.gather's gradient needs it, so
 * embeddings cannot train). wasm's ScatterNd adds duplicate indices, which is exactly a
 * segment sum. Ids outside [0, numSegments) are dropped, as on the cpu backend; they are
 * redirected to segment 0 with a zero update so ScatterNd never writes out of bounds.
 */
import * as tf from '@tensorflow/tfjs';
import { composedKernel } from './tensor-helpers.ts';

/**
 * x: [K, ...rest] (float32 or int32), segmentIds: int32 of shape [K] (or any shape whose size is
 * K = x.shape[0]) -> [numSegments, ...rest].
 */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const k = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const ids = tf.reshape(segmentIds, [k]);
    const updates = tf.reshape(x, [k, ...rest]);
    // Reading K ids from wasm memory is cheap and spares the masking ops in the usual case.
    const allValid = (ids.dataSync() as Int32Array).every((id) => id >= 0 && id < numSegments);
    if (allValid) return tf.scatterND(tf.reshape(ids, [k, 1]), updates, [numSegments, ...rest]);
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
    // where(), not a multiply by 0: a dropped row may hold NaN or Infinity.
    const rowValid = tf.reshape(valid, [k, ...rest.map(() => 1)]);
    const safeUpdates = tf.where(rowValid, updates, tf.zerosLike(updates));
    return tf.scatterND(tf.reshape(safeIds, [k, 1]), safeUpdates, [numSegments, ...rest]);
  });
}

export const unsortedSegmentSumConfig = composedKernel<{ numSegments: number }>('UnsortedSegmentSum', (input, { numSegments }) =>
  unsortedSegmentSum(input('x'), input('segmentIds'), numSegments));
