/**
 * runFusedProgram on webgpu (a GPU or lavapipe): a program's WGSL is built once per device and
 * key, not on every call, and the program computes what it says. Skipped without a Vulkan
 * adapter, failing under BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { probeWebgpuForTests } from '../../../test/support/webgpu-suite.ts';
import { initBackend, releaseBackend } from '../index.ts';
import { runFusedProgram } from './fused-program.ts';

const { probe, skipWebgpu } = await probeWebgpuForTests();

describe.skipIf(skipWebgpu)(`runFusedProgram on ${probe.usable ? probe.device : 'no device'}`, () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });
  afterAll(() => releaseBackend());
  useLeakCheck();

  it('builds the WGSL of a program once per key, however often it runs', async () => {
    await tf.setBackend('webgpu');
    const built: string[] = [];
    const bodyFor = (factor: number) => () => {
      built.push(`x${factor}`);
      return `fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * 64u + lid; i < u.size; i = i + nwg * 64u) { y[i] = x[i] * ${factor}.0; }
}`;
    };
    const x = tf.tensor1d([1, -2, 3]);
    const results: number[][] = [];
    for (const factor of [2, 2, 3, 2, 3]) {
      const [info] = runFusedProgram(tf.backend(), {
        name: 'TestScale', key: `${factor}`, workgroupSize: 64, workgroups: 1,
        inputs: [['x', x]], outputs: [['y', [3]]], uniforms: [['size', 'u32', 3]], body: bodyFor(factor),
      });
      const y = tf.engine().makeTensorFromTensorInfo(info!);
      results.push(Array.from(await y.data()));
      y.dispose();
    }
    x.dispose();
    expect(built).toEqual(['x2', 'x3']);
    expect(results).toEqual([[2, -4, 6], [2, -4, 6], [3, -6, 9], [2, -4, 6], [3, -6, 9]]);
  });
});
