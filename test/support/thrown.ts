/**
 * The error a call throws, for tests that check more than its message: `thrown(fn, Class)`
 * fails the test unless `fn` throws an instance of Class, and returns it.
 */
import { expect } from 'vitest';

export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the call to throw').toBeInstanceOf(type);
  return error as E;
}
