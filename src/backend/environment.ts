/** What a result must carry to be reproduced: backend, device, versions, machine, code commit. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ActiveBackend } from './names.ts';
import { cpuCores, cpuModel } from './host.ts';

/** batchlab's own commit: the code that produced the numbers, wherever the user runs it from. */
function readGitCommit(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
      encoding: 'utf8',
    });
    const commit = out.trim();
    return /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined;
  } catch {
    // Not a git checkout (an npm install) or no git binary: the field is simply absent.
    return undefined;
  }
}

/** Flat string map, snake_case keys; `git_commit` only when batchlab runs from a git checkout. */
export function describeEnvironment(active: ActiveBackend): Record<string, string> {
  const env: Record<string, string> = {
    backend: active.name,
    device: active.device,
    backend_is_gpu: String(active.isGpu),
    tfjs_version: tf.version.tfjs,
    node_version: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu_model: cpuModel(),
    cpu_cores: String(cpuCores()),
    ...active.settings,
  };
  const commit = readGitCommit();
  if (commit) env['git_commit'] = commit;
  return env;
}
