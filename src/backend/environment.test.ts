import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEnvironment, readGitState } from './environment.ts';

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

describe('readGitState', () => {
  const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  let hasGit = true;
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
  } catch {
    hasGit = false;
  }

  it.skipIf(!hasGit)('clean at a commit; dirty with a diff hash that follows the change; result folders do not count', () => {
    const repo = mkdtempSync(join(os.tmpdir(), 'batchlab-git-'));
    try {
      sh(repo, 'init', '-q');
      sh(repo, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'x');
      writeFileSync(join(repo, 'code.ts'), 'one');
      sh(repo, 'add', 'code.ts');
      sh(repo, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'code');
      const head = sh(repo, 'rev-parse', 'HEAD').trim();
      expect(readGitState(repo)).toEqual({ commit: head, dirty: false });
      mkdirSync(join(repo, 'results', 'c1'), { recursive: true });
      writeFileSync(join(repo, 'results', 'c1', 'summary.csv'), 'a,b');
      expect(readGitState(repo)).toEqual({ commit: head, dirty: false });
      writeFileSync(join(repo, 'code.ts'), 'two');
      const a = readGitState(repo)!;
      expect(a.dirty).toBe(true);
      expect(a.diffSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(readGitState(repo)!.diffSha256).toBe(a.diffSha256);
      writeFileSync(join(repo, 'code.ts'), 'three');
      expect(readGitState(repo)!.diffSha256).not.toBe(a.diffSha256);
      writeFileSync(join(repo, 'code.ts'), 'one');
      writeFileSync(join(repo, 'new.ts'), 'untracked');
      const u = readGitState(repo)!;
      expect(u.dirty).toBe(true);
      writeFileSync(join(repo, 'new.ts'), 'untracked, changed');
      expect(readGitState(repo)!.diffSha256).not.toBe(u.diffSha256);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('outside a git checkout there is no state', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'batchlab-nogit-'));
    try {
      expect(readGitState(dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
