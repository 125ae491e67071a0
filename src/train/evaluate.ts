/**
 * Evaluation in inference mode (BN moving statistics, no dropout), chunked to bound memory.
 * batchlab's MLP on native is evaluated by direct calls (direct-dense-eval.ts), with the same bits.
 */
import * as tf from '@tensorflow/tfjs';
import { directDenseEvaluate } from './direct-dense-eval.ts';
import { perExampleLoss, type Task } from './loss.ts';

export interface EvalResult {
  loss: number; // mean per-example loss
  acc: number | null; // fraction correct; null for regression
}

export async function evaluate(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, task: Task, chunk: number,
): Promise<EvalResult> {
  const n = x.shape[0];
  const direct = task === 'classification' ? directDenseEvaluate(model, x, y, chunk) : null;
  if (direct) return { loss: direct.lossSum / n, acc: direct.correct / n };
  const totals = tf.tidy(() => {
    let lossSum: tf.Tensor = tf.scalar(0);
    let correct: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const out = model.apply(xb, { training: false }) as tf.Tensor;
      lossSum = tf.add(lossSum, tf.sum(perExampleLoss(task, out, yb)));
      if (task === 'classification') {
        correct = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(yb, -1)), 'float32')));
      }
    }
    return tf.stack([lossSum, correct]);
  });
  const [lossSum, correct] = await totals.data();
  totals.dispose();
  return { loss: lossSum / n, acc: task === 'classification' ? correct / n : null };
}
