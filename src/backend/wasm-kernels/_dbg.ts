import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
for (const b of ['cpu','wasm']) {
  await tf.setBackend(b);
  const x = tf.tensor([[ -3, -1, -2, -5], [1, 4, 4, 2]]);
  const a = tf.argMax(x, 1); a.print();
  tf.argMax(tf.reshape(x, [1,1,2,4]), 3).print();
  tf.oneHot(a, 4, 1, 0, 'float32').print();
  tf.oneHot(a, 4).print();
}
