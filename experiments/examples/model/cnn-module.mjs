// A model builder for `model: { name: module, path: experiments/examples/model/cnn-module.mjs }`.
// batchlab imports this file and calls its default export; it runs as your code, in batchlab's
// process. Build with the `tf` you are given (not an import of your own), and give the model one
// input of `inputShape` and `numClasses` outputs (logits, or a softmax that batchlab removes).
// `initializers.he()` / `.glorot()` are seeded from the run's seed; batchlab reseeds every
// initializer from that seed anyway, so the same seed always gives the same weights.
// `options` is the spec's model.options. The same Keras-style CNN as model.json beside it.
export default function build({ tf, inputShape, numClasses, initializers, options }) {
  const channels = options.channels ?? [8, 16];
  const model = tf.sequential({ name: 'shapes_cnn' });
  channels.forEach((filters, i) => {
    model.add(tf.layers.conv2d({
      ...(i === 0 ? { inputShape } : {}),
      filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: initializers.he(), name: `conv${i + 1}`,
    }));
    model.add(tf.layers.batchNormalization({ name: `bn${i + 1}` }));
    model.add(tf.layers.reLU({ name: `relu${i + 1}` }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
  });
  model.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: initializers.glorot(), name: 'probs' }));
  return model;
}
