/**
 * The validation split: `size` examples carved from a loaded dataset's train split (never from
 * its test split), stratified by class for classification, chosen by a seed. The remaining train
 * examples keep their relative order; the test split is untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../core/prng.ts';
import { InternalError } from '../errors.ts';
import { gatherLabels, type Dataset } from './dataset.ts';
import { stratifiedSplit } from './stratified-split.ts';

/**
 * Row indices of the train split that stay train, and those that become validation: a
 * stratified split of `labels` (one class per train row; all zeros for regression) with `size`
 * validation rows, seeded by `seed` on its own stream (so it never coincides with the train/test
 * split drawn from the same data.seed). Train indices come back in ascending order, so the
 * remaining examples keep the loader's order. Pure.
 */
export function planValidationSplit(labels: ArrayLike<number>, size: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const n = labels.length;
  if (!Number.isInteger(size) || size <= 0 || size >= n) {
    throw new InternalError(`validation split: expected 0 < size < ${n} train examples, got ${size}`);
  }
  const split = stratifiedSplit(labels, n - size, size, deriveSeed(seed, 'validation-split'));
  return { train: split.train.slice().sort(), validation: split.test };
}

/** Class of each row of a one-hot [N, classes] label tensor, on the host. */
function classesOf(y: tf.Tensor): Int32Array {
  const argmax = tf.argMax(y, 1);
  const out = Int32Array.from(argmax.dataSync());
  argmax.dispose();
  return out;
}

/**
 * `dataset` with its train split cut into train and validation (`valX`, `valY`). Takes
 * ownership of `dataset`: its train tensors are disposed, the returned dataset's `dispose`
 * frees the rest.
 */
export function carveValidation(dataset: Dataset, size: number, seed: number): Dataset {
  const labels = dataset.task === 'classification'
    ? (dataset.trainLabels ?? classesOf(dataset.trainY))
    : new Int32Array(dataset.trainX.shape[0]);
  const { train, validation } = planValidationSplit(labels, size, seed);
  const [trainX, trainY, valX, valY] = tf.tidy(() => {
    const t = tf.tensor1d(train, 'int32');
    const v = tf.tensor1d(validation, 'int32');
    return [tf.gather(dataset.trainX, t), tf.gather(dataset.trainY, t), tf.gather(dataset.trainX, v), tf.gather(dataset.trainY, v)];
  });
  const { testX, testY } = dataset;
  tf.dispose([dataset.trainX, dataset.trainY]);
  return {
    ...dataset,
    trainX,
    trainY,
    valX,
    valY,
    ...(dataset.trainLabels ? { trainLabels: gatherLabels(dataset.trainLabels, train) } : {}),
    dispose: () => tf.dispose([trainX, trainY, valX, valY, testX, testY]),
  };
}
