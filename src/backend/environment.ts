/** What a result must carry to be reproduced: backend, device, versions, machine, code commit. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ActiveBackend } from './names.ts';
import { cpuCores, cpuModel } from './host.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** git's output in `cwd`'s checkout; throws when there is none. */
function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/**
 * Paths whose changes do not change the code that ran: result folders (a sweep writes them, and
 * scripts/claims/run-claims.sh rewrites earlier claims' results before the next sweep starts).
 */
const NOT_CODE = [':(exclude)results'];

/**
 * The commit of the checkout holding `dir` (default: batchlab's own) and whether the checkout differed from it: tracked files changed (the
 * diff against HEAD) or untracked files present, results folders excepted. `diffSha256` hashes
 * the diff and every untracked file's name and content, so two dirty runs can be told apart.
 */
export function readGitState(dir = HERE): { commit: string; dirty: boolean; diffSha256?: string } | undefined {
  try {
    const commit = git(dir, ['rev-parse', 'HEAD']).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    const root = git(dir, ['rev-parse', '--show-toplevel']).trim();
    const diff = git(dir, ['-C', root, 'diff', '--binary', 'HEAD', '--', '.', ...NOT_CODE]);
    const untracked = git(dir, ['-C', root, 'ls-files', '--others', '--exclude-standard', '-z', '--', '.', ...NOT_CODE]).split('\0').filter(Boolean).sort();
    if (diff === '' && untracked.length === 0) return { commit, dirty: false };
    const hash = createHash('sha256').update(diff);
    for (const file of untracked) {
      hash.update(`\0${file}\0`);
      try {
        hash.update(readFileSync(join(root, file)));
      } catch {
        hash.update('(unreadable)');
      }
    }
    return { commit, dirty: true, diffSha256: hash.digest('hex') };
  } catch {
    // Not a git checkout (an npm install) or no git binary: the fields are simply absent.
    return undefined;
  }
}

/**
 * Flat string map, snake_case keys. From a git checkout only: `git_commit`, `git_dirty`
 * ('true' | 'false') and, when dirty, `git_diff_hash` (SHA-256 hex, see readGitState).
 */
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
  const state = readGitState();
  if (state) {
    env['git_commit'] = state.commit;
    env['git_dirty'] = String(state.dirty);
    if (state.diffSha256) env['git_diff_hash'] = state.diffSha256;
  }
  return env;
}
