/** The dataset contract every loader returns, and host-side helpers to build it. */
import * as tf from '@tensorflow/tfjs';

export type Task = 'classification' | 'regression';

/** A loaded dataset: four tensors on the backend that was current when it was loaded. */
export interface Dataset {
  name: string;
  task: Task;
  /** Shape of one example, e.g. [28, 28, 1] for images, [d] for vectors. */
  inputShape: number[];
  /** Classes (classification) or target dimensions (regression). */
  numOutputs: number;
  /** float32 [N, ...inputShape]. */
  trainX: tf.Tensor;
  /** float32 [N, numOutputs]: one-hot for classification, targets for regression. */
  trainY: tf.Tensor;
  testX: tf.Tensor;
  testY: tf.Tensor;
  /** The validation split carved from the train examples (data.validationSize); absent without one. */
  valX?: tf.Tensor;
  valY?: tf.Tensor;
  /** Class of each train example (classification only), for stratified subsets on the host. */
  trainLabels?: Int32Array;
  /** Disposes the tensors (four, six with a validation split); calling it twice is harmless. */
  dispose(): void;
}

/** Host arrays of one dataset, row-major, before they become tensors. */
export interface HostData {
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
}

export interface DatasetMeta {
  name: string;
  task: Task;
  inputShape: number[];
  numOutputs: number;
  trainLabels?: Int32Array;
}

/** Uploads host arrays as float32 tensors on the current backend. Row counts follow from sizes. */
export function toDataset(meta: DatasetMeta, host: HostData): Dataset {
  const rowSize = meta.inputShape.reduce((a, b) => a * b, 1);
  const make = (x: Float32Array, y: Float32Array) => {
    const n = x.length / rowSize;
    return [tf.tensor(x, [n, ...meta.inputShape], 'float32'), tf.tensor(y, [n, meta.numOutputs], 'float32')];
  };
  const [trainX, trainY] = make(host.trainX, host.trainY);
  const [testX, testY] = make(host.testX, host.testY);
  return {
    ...meta,
    trainX,
    trainY,
    testX,
    testY,
    dispose: () => tf.dispose([trainX, trainY, testX, testY]),
  };
}

/**
 * Rows `indices` of a row-major array with `rowSize` values per row, each value times `scale`,
 * as float32 [indices.length * rowSize].
 */
export function gatherRows(
  source: ArrayLike<number>,
  rowSize: number,
  indices: ArrayLike<number>,
  scale = 1,
): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * rowSize;
    const to = r * rowSize;
    for (let k = 0; k < rowSize; k++) out[to + k] = source[from + k] * scale;
  }
  return out;
}

/** Labels of rows `indices`, as int32. */
export function gatherLabels(labels: ArrayLike<number>, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = labels[indices[r]];
  return out;
}

/** One-hot float32 [labels.length * classes] for labels in [0, classes). */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let r = 0; r < labels.length; r++) out[r * classes + labels[r]] = 1;
  return out;
}
