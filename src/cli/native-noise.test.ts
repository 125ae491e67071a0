import { describe, expect, it } from 'vitest';
import { FILTERED_ENV, isNativeNoise, runWithoutNativeNoise, shouldHideDawnNoise } from './native-noise.ts';
import { probeBackend } from '../backend/index.ts';
import { requireSystem } from '../../test/support/require-system.ts';
import { runCli, tempDir, writeSpec } from '../../test/support/cli.ts';
import type { Output } from './output.ts';

const DAWN = 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 500000 to 15 to fit dynamic offset allocation limit.';

describe('isNativeNoise', () => {
  it.each([
    [DAWN, true],
    ['warning: a worker could not start', false],
    ['webgpu      yes  nvidia  adapter found', false],
    ['error: train.lr: expected a positive number', false],
  ])('%s -> %s', (line, noise) => expect(isNativeNoise(line)).toBe(noise));
});

describe('runWithoutNativeNoise', () => {
  it("drops the child's native noise from stderr, keeps every other line and the exit code", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Output = { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false };
    const script = `process.stderr.write(${JSON.stringify(DAWN + '\n')} + 'real warning\\n' + ${JSON.stringify(DAWN)}); process.stdout.write('table\\nline 2\\n'); process.exitCode = 3;`;
    const code = await runWithoutNativeNoise(process.execPath, ['-e', script], io);
    expect(code).toBe(3);
    expect(out).toEqual(['table', 'line 2']);
    expect(err).toEqual(['real warning']);
  });
});

describe('shouldHideDawnNoise', () => {
  const cli = ['/usr/bin/node', '/x/bin/batchlab.mjs', 'run', 's.yaml'];
  it.each([
    ['a CPU backend', 'native', false, {}, cli],
    ['--debug', 'webgpu', true, {}, cli],
    ['the filtered child itself', 'auto', false, { [FILTERED_ENV]: '1' }, cli],
    ['main called by a test runner', 'auto', false, {}, ['/usr/bin/node', '/x/node_modules/vitest/vitest.mjs']],
  ])('is false for %s', (_name, backend, debug, env, argv) => {
    expect(shouldHideDawnNoise(backend, debug, env, argv)).toBe(false);
  });
});

// On a machine where Dawn finds an adapter (lavapipe in CI), `auto` activates webgpu: Dawn's
// warnings must not reach the user's stderr, unless --debug asks for them.
const NO_ADAPTER = !(await probeBackend('webgpu')).usable;
describe.skipIf(requireSystem('mesa-vulkan-drivers libvulkan1', !NO_ADAPTER, { why: 'no WebGPU adapter' }))('run and sweep on auto', () => {
  it("hide Dawn's warnings, and show them with --debug", async () => {
    const dir = tempDir('batchlab-noise-');
    const spec = writeSpec(dir, 's.yaml', 'name: s\ndata: { name: blobs }\nmodel: { name: mlp, hidden: [4] }\ntrain: { steps: 2 }\nsweep: { batchSize: [8] }\n');
    for (const cmd of ['run', 'sweep']) {
      const quiet = await runCli([cmd, spec, '--out', `${dir}/${cmd}-quiet`], dir);
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).not.toMatch(/artificially reduced/);
      // auto did start Dawn (and skipped its software adapter): the lines were there to hide
      expect(quiet.stdout + quiet.stderr).toMatch(/webgpu: only a software Vulkan adapter/);
    }
    const loud = await runCli(['run', spec, '--out', `${dir}/loud`, '--debug'], dir);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/artificially reduced/);
  }, 180_000);
});
