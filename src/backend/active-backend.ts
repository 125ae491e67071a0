/** Reading, restoring and sanity-checking tfjs's active backend (global state of the tfjs engine). */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './names.ts';
import { BackendUnavailableError } from './backend-unavailable-error.ts';

/** The backend tfjs runs ops on now, or undefined before any was chosen. */
export function currentBackend(): string | undefined {
  return tf.getBackend() || undefined;
}

/**
 * Puts back the backend that was active before a probe. tfjs cannot return to "none chosen",
 * so when nothing was active the cpu backend is set: it is always present.
 */
export async function restoreBackend(previous: string | undefined): Promise<void> {
  const target = previous && tf.engine().registryFactory[previous] ? previous : 'cpu';
  if (tf.getBackend() !== target) await tf.setBackend(target);
  await tf.ready();
}

/**
 * Switches tfjs to `name` and waits for it; throws BackendUnavailableError when tfjs refuses
 * (tfjs itself logs the underlying error as a warning).
 */
export async function switchTo(name: BackendName, reasonIfRefused: string, hint?: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (err) {
    throw new BackendUnavailableError(name, `${reasonIfRefused}: ${messageOf(err)}`, hint);
  }
  if (!ok || tf.getBackend() !== name) throw new BackendUnavailableError(name, reasonIfRefused, hint);
}

/**
 * Runs one small op on the active backend and compares it with the closed form, so a backend that
 * initialises but computes garbage (a mismatched .wasm, a broken driver) is caught at start.
 * Reads with `await data()` because a synchronous read throws on webgpu in Node.
 */
export async function verifyActiveBackend(name: BackendName): Promise<void> {
  const y = tf.tidy(() => tf.tensor1d([1, 2, 3]).mul(2).add(1));
  const values = await y.data();
  y.dispose();
  const expected = [3, 5, 7];
  if (!expected.every((v, i) => values[i] === v)) {
    throw new BackendUnavailableError(
      name,
      `self-test failed: 2*[1,2,3]+1 gave [${Array.from(values).join(',')}]`,
    );
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
