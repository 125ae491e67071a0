import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeEnvironment } from './environment.ts';

function gitHead(): string | undefined {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

describe('describeEnvironment', () => {
  it('records backend, device, versions, machine and commit as strings', () => {
    const env = describeEnvironment({ name: 'wasm', device: 'X (wasm SIMD, 1 thread)', why: 'requested wasm', isGpu: false });
    const expected: Record<string, string> = {
      backend: 'wasm',
      device: 'X (wasm SIMD, 1 thread)',
      backend_is_gpu: 'false',
      tfjs_version: tf.version.tfjs,
      node_version: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu_model: os.cpus()[0]!.model.trim(),
      cpu_cores: String(os.availableParallelism()),
    };
    const head = gitHead();
    if (head) expected['git_commit'] = head;
    expect(env).toEqual(expected);
  });
});
