/**
 * Tensor-leak check for tfjs tests: every test in the enclosing describe (or file, at top level)
 * must end with as many live tensors as it started with. Call it inside the describe whose tests
 * it covers, after any beforeEach that builds fixtures meant to outlive one test.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, expect } from 'vitest';

export function useLeakCheck(): void {
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors leaked by this test').toBe(before);
  });
}
