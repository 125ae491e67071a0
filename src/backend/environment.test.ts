import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEnvironment } from './environment.ts';

const WASM = { name: 'wasm', device: 'X (wasm SIMD, 1 thread)', why: 'requested wasm', isGpu: false } as const;
const WEBGPU = { name: 'webgpu', device: 'NVIDIA H100 (Vulkan)', why: 'requested webgpu', isGpu: true } as const;

/** The commit of this checkout, asked of git independently of the code under test. */
function checkoutCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

describe('describeEnvironment', () => {
  it('records the active backend as given, with snake_case keys and string values only', () => {
    const env = describeEnvironment(WASM);
    expect(env).toMatchObject({ backend: 'wasm', device: 'X (wasm SIMD, 1 thread)', backend_is_gpu: 'false' });
    expect(describeEnvironment(WEBGPU)).toMatchObject({ backend: 'webgpu', device: 'NVIDIA H100 (Vulkan)', backend_is_gpu: 'true' });
    for (const [key, value] of Object.entries(env)) {
      expect(key).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(typeof value, key).toBe('string');
    }
    // The reason a backend was chosen belongs to the run's log, not to what reproduces it.
    expect(Object.values(env)).not.toContain('requested wasm');
  });

  it('says which versions, machine and cores produced the numbers', () => {
    const env = describeEnvironment(WASM);
    expect(env['tfjs_version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(env['node_version']).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(env['os']).toContain(os.arch());
    expect(env['cpu_model']).not.toBe('');
    expect(Number(env['cpu_cores'])).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(env['cpu_cores']))).toBe(true);
  });

  it("records batchlab's own commit, whatever directory it runs from", () => {
    const commit = checkoutCommit();
    const home = process.cwd();
    const elsewhere = mkdtempSync(join(os.tmpdir(), 'batchlab-env-'));
    try {
      process.chdir(elsewhere);
      const env = describeEnvironment(WASM);
      if (commit === undefined) {
        expect(env).not.toHaveProperty('git_commit');
      } else {
        expect(env['git_commit']).toMatch(/^[0-9a-f]{40,64}$/);
        expect(env['git_commit']).toBe(commit);
      }
    } finally {
      process.chdir(home);
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
