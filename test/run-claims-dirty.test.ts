/**
 * scripts/claims/run-claims.sh refuses a tree with uncommitted changes outside results/ (tracked
 * or untracked), unless given --allow-dirty: committed claim results must come from one clean
 * commit. It also refuses a claim name that picks no spec or several. The script runs in a throwaway git repository holding a copy of it, an experiments/
 * claims spec and a stand-in bin/batchlab.mjs that logs each call and writes a one-row
 * summary.csv, so the test checks the script's decision, not a sweep.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from './support/temp-dir.ts';

const exec = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../scripts/claims/run-claims.sh');

// Logs its arguments; for `sweep <spec> --out <dir>` writes a summary with one run.
const STAND_IN = `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(new URL('../calls.log', import.meta.url), args.join(' ') + '\\n');
if (args[0] === 'sweep') {
  const out = args[args.indexOf('--out') + 1];
  mkdirSync(out, { recursive: true });
  writeFileSync(out + '/summary.csv', 'run_id,status\\nr1,completed\\n');
}
`;

const repo = useTempDir('batchlab-run-claims-');

async function git(...args: string[]): Promise<void> {
  await exec('git', ['-C', repo.path, ...args]);
}

/** Runs the copied script; exit code, stderr and the stand-in's calls. */
async function runClaims(...args: string[]): Promise<{ code: number; stderr: string; calls: string[] }> {
  let code = 0;
  let stderr = '';
  try {
    ({ stderr } = await exec('bash', [join(repo.path, 'scripts/claims/run-claims.sh'), ...args], { timeout: 30_000 }));
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    code = err.code ?? -1;
    stderr = err.stderr ?? '';
  }
  const log = join(repo.path, 'calls.log');
  const calls = existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : [];
  return { code, stderr, calls };
}

describe('run-claims.sh and the state of the tree', () => {
  beforeEach(async () => {
    const r = repo.path;
    await mkdir(join(r, 'scripts/claims'), { recursive: true });
    await mkdir(join(r, 'experiments/claims'), { recursive: true });
    await mkdir(join(r, 'bin'), { recursive: true });
    await copyFile(SCRIPT, join(r, 'scripts/claims/run-claims.sh'));
    await writeFile(join(r, 'experiments/claims/c0-demo.yaml'), 'name: c0-demo\n');
    await writeFile(join(r, 'bin/batchlab.mjs'), STAND_IN);
    await writeFile(join(r, '.gitignore'), 'calls.log\n');
    await git('init', '-q');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'fixture');
  });

  it('runs a clean tree: sweep, verify and report for each claim, one timings row', async () => {
    const r = await runClaims('c0');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      'sweep experiments/claims/c0-demo.yaml --out results/claims/c0-demo',
      'verify results/claims/c0-demo',
      'report results/claims/c0-demo',
    ]);
    const timings = (await readFile(join(repo.path, 'results/claims/timings.csv'), 'utf8')).trim().split('\n');
    expect(timings[0]).toBe('claim,runs,sweep_s,exit');
    expect(timings[1]).toMatch(/^c0-demo,1,[0-9.]+,0$/);
  });

  it.each([
    ['a changed tracked file', 'experiments/claims/c0-demo.yaml', 'name: c0-demo\nmodel: {}\n'],
    ['an untracked file', 'src/new-code.ts', 'export {};\n'],
  ])('refuses %s outside results/ (exit 2, names it, runs nothing)', async (_what, file, text) => {
    await mkdir(join(repo.path, file, '..'), { recursive: true });
    await writeFile(join(repo.path, file), text);
    const r = await runClaims('c0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run-claims: the tree has uncommitted changes outside results/');
    expect(r.stderr).toContain(file);
    expect(r.calls).toEqual([]);
    expect(existsSync(join(repo.path, 'results'))).toBe(false);
  });

  it('ignores changes under results/ (earlier claims rewritten by this script)', async () => {
    await mkdir(join(repo.path, 'results/claims/old'), { recursive: true });
    await writeFile(join(repo.path, 'results/claims/old/summary.csv'), 'run_id\n');
    const r = await runClaims('c0');
    expect(r.code).toBe(0);
    expect(r.calls[0]).toBe('sweep experiments/claims/c0-demo.yaml --out results/claims/c0-demo');
  });

  it('a name must pick one spec: its whole name, or the start of exactly one (else exit 2 before anything runs)', async () => {
    await writeFile(join(repo.path, 'experiments/claims/c0-plain-demo.yaml'), 'name: c0-plain-demo\n');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'second spec');
    const ambiguous = await runClaims('c0');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('run-claims: c0: expected the name of one spec in experiments/claims/ (or the start of one), got 2 matches');
    expect(ambiguous.calls).toEqual([]);
    const missing = await runClaims('c9');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('got 0 matches');
    const both = await runClaims('c0-plain', 'c0-demo');
    expect(both.code).toBe(0);
    expect(both.calls.filter((c) => c.startsWith('sweep'))).toEqual([
      'sweep experiments/claims/c0-plain-demo.yaml --out results/claims/c0-plain-demo',
      'sweep experiments/claims/c0-demo.yaml --out results/claims/c0-demo',
    ]);
  });

  it('runs a dirty tree when given --allow-dirty', async () => {
    await writeFile(join(repo.path, 'experiments/claims/c0-demo.yaml'), 'name: c0-demo\nmodel: {}\n');
    const r = await runClaims('--allow-dirty', 'c0');
    expect(r.code).toBe(0);
    expect(r.calls).toHaveLength(3);
  });
});
