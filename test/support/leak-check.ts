/**
 * Tensor-leak check for tfjs tests.
 *
 * `useLeakCheck()`: every test in the enclosing describe (or file, at top level) must end with as
 * many live tensors as it started with. Call it inside the describe whose tests it covers, after
 * any beforeEach that builds fixtures meant to outlive one test.
 *
 * `useLeakCheck('all')`: the tests of the enclosing describe (or file) together with its
 * beforeAll/afterAll fixtures must leave as many live tensors as there were before them. Call it
 * before the beforeAll that builds the fixtures (after-hooks run in reverse order, so its check
 * runs after the afterAll that frees them).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

export function useLeakCheck(scope: 'each' | 'all' = 'each'): void {
  let before = 0;
  const start = () => {
    before = tf.memory().numTensors;
  };
  const check = () => {
    expect(tf.memory().numTensors, scope === 'each' ? 'tensors leaked by this test' : 'tensors leaked by these tests and their fixtures').toBe(before);
  };
  if (scope === 'each') {
    beforeEach(start);
    afterEach(check);
  } else {
    beforeAll(start);
    afterAll(check);
  }
}
