/** Turns a loaded dataset into the loop's TrainData: adds the fixed train subset used for the generalisation gap. */
import * as tf from '@tensorflow/tfjs';
import { shuffled } from '../core/prng.ts';
import type { Dataset } from '../data/dataset.ts';
import type { TrainData } from '../train/types.ts';

/** What the loop needs of a loaded dataset: its task and its tensors. */
export type LoadedData = Pick<Dataset, 'task' | 'trainX' | 'trainY' | 'testX' | 'testY' | 'valX' | 'valY'>;

/**
 * The train-eval subset has the test set's size (capped at the train size) and is drawn with a
 * fixed seed, so every run on the same data compares on the same examples. Caller disposes the
 * two tensors it adds (`disposeTrainEval`).
 */
export function withTrainEval(data: LoadedData, subsetSeed = 12345): TrainData {
  const n = data.trainX.shape[0];
  const m = Math.min(n, data.testX.shape[0]);
  const idx = tf.tensor1d(shuffled(n, subsetSeed).slice(0, m), 'int32');
  const trainEvalX = tf.gather(data.trainX, idx);
  const trainEvalY = tf.gather(data.trainY, idx);
  idx.dispose();
  return { ...data, trainEvalX, trainEvalY };
}

export function disposeTrainEval(d: TrainData): void {
  d.trainEvalX.dispose();
  d.trainEvalY.dispose();
}
