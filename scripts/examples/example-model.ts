/**
 * The saved tfjs model of experiments/examples/model/: the Keras-style CNN that cnn-module.mjs
 * builds (2 x [conv3x3 without bias -> BatchNormalization -> ReLU -> max pool], global average
 * pooling, dense softmax; tfjs-layers' defaults, BN momentum 0.99, epsilon 1e-3) for the 12x12
 * "shapes" images, fitted for 2 epochs with tfjs's own model.fit on the cpu backend and saved with
 * tfjs's own model.save (model.json and weights.bin, the layout tfjs-node's file:// handler
 * writes). Deterministic. Regenerate after scripts/examples/example-data.ts with
 *   node bin/run-ts.mjs scripts/examples/example-model.ts [folder]     (default experiments/examples/model)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeSeeder } from '../../src/models/seeds.ts';
import { parseNpyBytes } from '../../src/data/files/read-npy.ts';

const MODULE = resolve(import.meta.dirname, '../../experiments/examples/model/cnn-module.mjs');
const DATA = resolve(import.meta.dirname, '../../experiments/examples/data/npy');

/** Builds the CNN through cnn-module.mjs, fits it on the shapes data and saves it into `dir`. */
export async function writeExampleModel(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const { default: build } = await import(MODULE) as { default: (args: object) => tf.LayersModel };
  const model = build({ tf, inputShape: [12, 12, 1], numClasses: 3, initializers: makeSeeder(7), options: {} });
  const x = parseNpyBytes(await readFile(join(DATA, 'x.npy')), 'x', 'x.npy');
  const y = parseNpyBytes(await readFile(join(DATA, 'y.npy')), 'y', 'y.npy');
  const xs = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(x.values as ArrayLike<number>), [x.shape[0], 12, 12, 1]), 255));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(y.values as ArrayLike<bigint>, Number), 'int32'), 3));
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const json = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
    };
    await writeFile(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  tf.dispose([xs, ys]);
  model.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeExampleModel(resolve(process.argv[2] ?? 'experiments/examples/model'));
}
