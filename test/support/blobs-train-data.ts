/**
 * A test file's blobs dataset and its train/eval view: loaded on the cpu backend before the
 * file's tests, handed to `use`, and disposed after them. Register it after `useLeakCheck('all')`
 * so the leak check counts from before the fixture.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { loadDataset, type Dataset } from '../../src/data/index.ts';
import { disposeTrainEval, withTrainEval } from '../../src/runner/train-data.ts';
import type { TrainData } from '../../src/train/types.ts';

export interface BlobsSettings {
  classes: number;
  dim: number;
  spread: number;
  trainSize: number;
  testSize: number;
  seed: number;
}

export function useBlobsTrainData(settings: BlobsSettings, use: (data: TrainData, dataset: Dataset) => void): void {
  let dataset: Dataset | undefined;
  let data: TrainData | undefined;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dataset = await loadDataset({ name: 'blobs', ...settings });
    data = withTrainEval(dataset);
    use(data, dataset);
  });
  afterAll(() => {
    if (data) disposeTrainEval(data);
    dataset?.dispose();
  });
}
