/**
 * The dispatch counter: its wrapping on a stand-in backend (runs everywhere), and its counts on
 * the real webgpu backend (lavapipe or a GPU; skipped without a Vulkan adapter, failing under
 * BATCHLAB_REQUIRE_SYSTEM=1).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeWebgpuForTests } from '../../test/support/webgpu-suite.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { InternalError } from '../errors.ts';
import { initBackend, releaseBackend } from './index.ts';
import { countDispatches, startDispatchCounter } from './webgpu-dispatch-counter.ts';

class AddProgram {}
class SumProgram {}

/** Records what reached the original methods, so the wrappers can be seen to pass calls through. */
function standIn() {
  const seen: string[] = [];
  return {
    seen,
    recordAndSubmit(program: object, tag: string) {
      seen.push(`record ${program.constructor.name} ${tag}`);
      return 'recorded';
    },
    submitQueue() {
      seen.push('submit');
      return 'submitted';
    },
  };
}

describe('dispatch counter on a stand-in backend', () => {
  it('counts dispatches per program and submits, and passes every call through', () => {
    const b = standIn();
    const counter = startDispatchCounter(b);
    expect(b.recordAndSubmit(new AddProgram(), 'a')).toBe('recorded');
    b.recordAndSubmit(new SumProgram(), 'b');
    b.recordAndSubmit(new AddProgram(), 'c');
    expect(b.submitQueue()).toBe('submitted');
    const counts = counter.stop();
    expect(counts.dispatches).toBe(3);
    expect(counts.submits).toBe(1);
    expect([...counts.byProgram]).toEqual([['AddProgram', 2], ['SumProgram', 1]]);
    expect(b.seen).toEqual(['record AddProgram a', 'record SumProgram b', 'record AddProgram c', 'submit']);
  });

  it('stops counting at stop(); counters started at different times count independently', () => {
    const b = standIn();
    const first = startDispatchCounter(b);
    b.recordAndSubmit(new AddProgram(), 'x');
    const second = startDispatchCounter(b);
    b.recordAndSubmit(new AddProgram(), 'y');
    expect(first.stop().dispatches).toBe(2);
    b.recordAndSubmit(new AddProgram(), 'z');
    expect(first.read().dispatches).toBe(2);
    expect(second.stop().dispatches).toBe(2);
    // The methods stay wrapped once: a third counter sees single counts.
    const third = startDispatchCounter(b);
    b.recordAndSubmit(new SumProgram(), 'w');
    expect(third.stop().dispatches).toBe(1);
    expect(b.seen).toHaveLength(4);
  });

  it('countDispatches stops its counter when the function throws', async () => {
    const b = standIn();
    await expect(countDispatches(b, () => {
      b.recordAndSubmit(new AddProgram(), 'x');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const after = startDispatchCounter(b);
    b.recordAndSubmit(new AddProgram(), 'y');
    expect(after.stop().dispatches).toBe(1);
  });

  it('refuses a backend without the webgpu methods', () => {
    expect(() => startDispatchCounter(tf.findBackend('cpu'))).toThrow(InternalError);
    expect(() => startDispatchCounter(undefined)).toThrow(InternalError);
  });
});

const { probe, skipWebgpu } = await probeWebgpuForTests();

describe.skipIf(skipWebgpu)(`dispatch counter on the webgpu backend (${probe.usable ? probe.device : 'no device'})`, () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });
  afterAll(() => releaseBackend());
  useLeakCheck();

  it('counts one dispatch per elementwise op, none for a reshape, and the submit of a read', async () => {
    await tf.setBackend('webgpu');
    // Above WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD (1000): smaller ops on host-resident data run on the CPU.
    const n = 4096;
    const a = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => i));
    const b = tf.tensor1d(Float32Array.from({ length: n }, () => 1));
    const { result, counts } = await countDispatches(tf.findBackend('webgpu'), async () => {
      const sum = tf.add(a, b);
      const reshaped = tf.reshape(sum, [n / 2, 2]);
      const product = tf.mul(reshaped, reshaped);
      const values = await product.data();
      tf.dispose([sum, reshaped, product]);
      return Array.from(values);
    });
    tf.dispose([a, b]);
    expect(result).toEqual(Array.from({ length: n }, (_, i) => (i + 1) ** 2));
    expect(counts.dispatches).toBe(2);
    // Which programs ran: the add and the multiply, none for the reshape (a view).
    expect(Object.fromEntries(counts.byProgram)).toEqual({ BinaryOpProgram: 2 });
    expect(counts.submits).toBeGreaterThanOrEqual(1);
  });
});
