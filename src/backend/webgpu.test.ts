import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { probeBackend } from './index.ts';

const run = promisify(execFile);
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));
const HAS_ADAPTER = (await probeBackend('webgpu')).usable;

// A Vulkan loader that dlopen rejects sends the probe past its loader check into Dawn itself,
// the path a machine with libvulkan1 but no driver takes. It runs in a child process because
// LD_LIBRARY_PATH is read by the dynamic linker only at process start.
describe.runIf(process.platform === 'linux')('webgpu probe through Dawn', () => {
  it('reports "no Vulkan adapter" cleanly and fast when Dawn finds no device', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'batchlab-vk-'));
    try {
      writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
      const script = [
        `const { probeBackend } = await import(${JSON.stringify(INDEX)});`,
        `const t0 = performance.now();`,
        `const p = await probeBackend('webgpu');`,
        `console.log(JSON.stringify({ ...p, ms: performance.now() - t0 }));`,
      ].join('\n');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, LD_LIBRARY_PATH: dir },
        timeout: 30_000,
      });
      const probe = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(probe).toMatchObject({
        name: 'webgpu',
        usable: false,
        device: '',
        reason: 'no Vulkan adapter: libvulkan.so.1 is present but no driver (ICD) exposes a device',
      });
      expect(probe.hint).toMatch(/libvulkan1/);
      expect(probe.ms).toBeLessThan(3000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// tfjs's webgpu backend keeps the device of the Dawn instance that was navigator.gpu when it
// started. A later probe or activation must not replace that instance: once garbage-collected,
// Dawn frees the device and the next GPU operation crashes the process (SIGSEGV).
describe.runIf(HAS_ADAPTER)('webgpu after repeated probes and activations', () => {
  it('keeps computing after a garbage collection', async () => {
    const script = [
      `const tf = await import('@tensorflow/tfjs');`,
      `const { initBackend, probeBackend } = await import(${JSON.stringify(INDEX)});`,
      `await initBackend('webgpu');`,
      `const first = globalThis.navigator.gpu;`,
      `await tf.setBackend('cpu');`,
      `await probeBackend('webgpu');`,
      `await initBackend('webgpu');`,
      `const same = globalThis.navigator.gpu === first;`,
      `globalThis.gc();`,
      `await new Promise((r) => setTimeout(r, 50));`,
      `globalThis.gc();`,
      `const y = tf.matMul(tf.ones([4, 3]), tf.ones([3, 2]));`,
      `console.log(JSON.stringify({ same, values: Array.from(await y.data()) }));`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ same: true, values: [3, 3, 3, 3, 3, 3, 3, 3] });
  });
});

// BATCHLAB_WEBGPU reaches Dawn's create() flags and tfjs's submit batch, and run.json's environment.
describe.runIf(HAS_ADAPTER)('webgpu settings from BATCHLAB_WEBGPU', () => {
  const activate = async (value: string) => {
    const script = [
      `const tf = await import('@tensorflow/tfjs');`,
      `const { initBackend, probeBackend, describeEnvironment, releaseBackend } = await import(${JSON.stringify(INDEX)});`,
      `const probe = await probeBackend('webgpu');`,
      `let env = null;`,
      `if (probe.usable) { env = describeEnvironment(await initBackend('webgpu')); }`,
      `console.log(JSON.stringify({ probe, env, submit: probe.usable ? tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') : null }));`,
      `releaseBackend();`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, BATCHLAB_WEBGPU: value }, timeout: 60_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  };

  it('applies toggles and the submit batch and records them in the environment', async () => {
    const r = await activate('skip_validation,-lazy_clear_resource_on_first_use,submit=7');
    expect(r.submit).toBe(7);
    expect(r.env).toMatchObject({ webgpu_dawn_toggles: '+skip_validation,-lazy_clear_resource_on_first_use', webgpu_submit_batch: '7' });
  }, 60_000);

  it('refuses a second start with other toggles (Dawn keeps the first ones) and accepts the same ones in another order', async () => {
    const script = [
      `const { initBackend, probeBackend, describeEnvironment, releaseBackend } = await import(${JSON.stringify(INDEX)});`,
      `process.env.BATCHLAB_WEBGPU = 'skip_validation,disable_robustness';`,
      `const first = describeEnvironment(await initBackend('webgpu'));`,
      `process.env.BATCHLAB_WEBGPU = 'disable_robustness,skip_validation,submit=9';`,
      `const same = describeEnvironment(await initBackend('webgpu'));`,
      `process.env.BATCHLAB_WEBGPU = 'skip_validation';`,
      `const probe = await probeBackend('webgpu');`,
      `let refused = null;`,
      `try { await initBackend('webgpu'); } catch (err) { refused = { name: err.constructor.name, message: err.message }; }`,
      `console.log(JSON.stringify({ first, same, probe, refused }));`,
      `releaseBackend();`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(r.first).toMatchObject({ webgpu_dawn_toggles: '+skip_validation,+disable_robustness' });
    expect(r.same).toMatchObject({ webgpu_dawn_toggles: '+disable_robustness,+skip_validation', webgpu_submit_batch: '9' });
    const why = 'Dawn already runs in this process with toggles +disable_robustness,+skip_validation; toggles +skip_validation cannot apply';
    expect(r.probe.usable).toBe(false);
    expect(r.probe.reason).toContain(why);
    expect(r.refused?.message).toContain(why);
  }, 60_000);

  it('refuses an unknown toggle, naming the variable and the value', async () => {
    const r = await activate('skip_valdation');
    expect(r.probe.usable).toBe(false);
    expect(r.probe.reason).toMatch(/BATCHLAB_WEBGPU: .*got "skip_valdation"/);
  }, 60_000);
});
