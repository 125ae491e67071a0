import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/support/temp-dir.ts';
import { UsageError } from '../../errors.ts';
import { writeClaimFixture } from '../../../test/support/claim-fixture.ts';
import type { Output } from '../output.ts';
import { verifyCommand } from './verify.ts';

const tmp = useTempDir('batchlab-verify-');

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

describe('verifyCommand', () => {
  it('prints the statistic, interval, n, verdict and sentence; exits 0', async () => {
    const dir = join(tmp.path, 'a');
    await writeClaimFixture(dir);
    const io = capture();
    expect(await verifyCommand({ dirs: [dir], format: 'table' }, io)).toBe(0);
    const text = io.lines.join('\n');
    expect(text).toMatch(/C2\s+interaction\s+mean interaction \(difference of differences\)\s+0\.111\s+95% t \[0\.0966, 0\.126\]\s+5\s+0\.0198\s+0\.0000297 \(0\.0000297\)\s+> 0\s+SUPPORTED/);
    expect(text).toContain('SUPPORTED: [BN(2) - BN(32)] - [GN(2) - GN(32)] in final_test_error is +11.1 points');
    expect((await stat(join(dir, 'verdicts.csv'))).isFile()).toBe(true);
  });

  it('--format json prints one object per directory', async () => {
    const dirs = [join(tmp.path, 'a'), join(tmp.path, 'b')];
    for (const d of dirs) await writeClaimFixture(d);
    const io = capture();
    expect(await verifyCommand({ dirs, format: 'json' }, io)).toBe(0);
    const out = JSON.parse(io.lines.join('\n'));
    expect(out.map((o: { dir: string; verdict: string }) => [o.dir, o.verdict])).toEqual([[dirs[0], 'SUPPORTED'], [dirs[1], 'SUPPORTED']]);
  });

  it('a directory without a claim fails with exit-2 UsageError after verifying the others; --claim supplies one', async () => {
    const good = join(tmp.path, 'good');
    const bare = join(tmp.path, 'bare');
    await writeClaimFixture(good);
    await writeClaimFixture(bare, null);
    const io = capture();
    const err = await verifyCommand({ dirs: [good, bare], format: 'table' }, io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`cannot verify ${bare} (1 of 2 results directories)`);
    expect((err as UsageError).issues[0]!.path).toBe(`${bare}: sweep.json spec.claim`);
    expect(JSON.parse(await readFile(join(good, 'verdicts.json'), 'utf8')).verdicts[0].verdict).toBe('SUPPORTED');

    const claimFile = join(tmp.path, 'claim.yaml');
    await writeFile(claimFile, [
      'claim:', '  id: R', '  statement: test error rises with the batch size under BatchNorm', '  metric: final_test_error',
      '  test: { kind: rank-correlation, where: { model.norm: batch } }', '  expect: { above: 0 }', '',
    ].join('\n'));
    const io2 = capture();
    expect(await verifyCommand({ dirs: [bare], format: 'table', claim: claimFile }, io2)).toBe(0);
    expect(io2.lines.join('\n')).toContain(`R (${claimFile}): test error rises with the batch size under BatchNorm`);
    // Every seed's own order is the same (BN's error is higher at batch 2): rho -1 per seed.
    expect(io2.lines.join('\n')).toContain("NOT SUPPORTED: Spearman's rho between batch_size and final_test_error is -1, identical in all 5 seeds, ");
  });

  it('--format md prints the claims table from the saved verdicts.json, evaluating and writing nothing', async () => {
    const dir = join(tmp.path, 'a');
    await writeClaimFixture(dir);
    expect(await verifyCommand({ dirs: [dir], format: 'table' }, capture())).toBe(0);
    const before = await readFile(join(dir, 'verdicts.json'), 'utf8');
    const io = capture();
    expect(await verifyCommand({ dirs: [`${dir}/`], format: 'md' }, io)).toBe(0);
    expect(io.lines.join('\n').split('\n')).toEqual([
      '| claim | statement | statistic | estimate [interval] | n | MDE (80% power) | p (Holm over all 1 test here) | verdict | results (code) |',
      '|---|---|---|---|---|---|---|---|---|',
      `| C2 | BatchNorm's error climbs at very small batches while GroupNorm's stays flat. | mean interaction (difference of differences) of final_test_error | +11.1 [9.66, 12.6] points (95% t) | 5 | 1.98 points | 0.0000297 (0.0000297) | SUPPORTED | [a](${dir}) (tree state not recorded for 20 of 20 runs (no commit recorded)) |`,
    ]);
    expect(await readFile(join(dir, 'verdicts.json'), 'utf8')).toBe(before);
    const missing = join(tmp.path, 'never-verified');
    await writeClaimFixture(missing);
    await expect(verifyCommand({ dirs: [missing], format: 'md' }, capture())).rejects.toThrow(/verdicts\.json/);
  });

  it('marks verdicts whose runs came from a dirty tree, in the table, verdicts.csv and verdicts.json', async () => {
    const dir = join(tmp.path, 'dirty');
    const commit = 'd'.repeat(40);
    await writeClaimFixture(dir, undefined, (i) => ({ git_commit: commit, git_dirty: i === 3 ? 'true' : 'false', ...(i === 3 ? { git_diff_hash: 'e'.repeat(64) } : {}) }));
    const io = capture();
    expect(await verifyCommand({ dirs: [dir], format: 'table' }, io)).toBe(0);
    expect(io.lines.join('\n')).toContain('DIRTY tree: 1 of 20 runs from uncommitted changes (diff eeeeeeee), at ddddddd');
    const json = JSON.parse(await readFile(join(dir, 'verdicts.json'), 'utf8'));
    expect(json.provenance).toMatchObject({ status: 'dirty', dirtyRuns: 1, commits: [commit] });
    expect(await readFile(join(dir, 'verdicts.csv'), 'utf8')).toContain('DIRTY tree');
    const md = capture();
    await verifyCommand({ dirs: [dir], format: 'md' }, md);
    expect(md.lines.join('\n')).toContain(`[dirty](${dir}) (DIRTY tree: 1 of 20 runs`);
    const clean = join(tmp.path, 'clean');
    await writeClaimFixture(clean, undefined, () => ({ git_commit: commit, git_dirty: 'false' }));
    const io2 = capture();
    await verifyCommand({ dirs: [clean], format: 'table' }, io2);
    expect(io2.lines.join('\n')).toContain('clean at ddddddd');
  });

  it('--family: Holm over every test printed (default) or within each spec; an unknown scope is refused', async () => {
    const a = join(tmp.path, 'fa');
    const b = join(tmp.path, 'fb');
    await writeClaimFixture(a);
    await writeClaimFixture(b);
    const all = capture();
    await verifyCommand({ dirs: [a, b], format: 'table' }, all);
    expect(all.lines.join('\n')).toContain('p (Holm over all 2 tests here)');
    expect(all.lines.join('\n')).toContain('0.0000297 (0.0000595)'); // 2 x p (2.97e-5 rounded) over the two identical tests
    const spec = capture();
    await verifyCommand({ dirs: [a, b], format: 'table', family: 'spec' }, spec);
    expect(spec.lines.join('\n')).toContain('p (Holm within each spec)');
    expect(spec.lines.join('\n')).toContain('0.0000297 (0.0000297)');
    await expect(verifyCommand({ dirs: [a], format: 'table', family: 'dirs' }, capture())).rejects.toThrow(UsageError);
  });

  it('rejects an unknown format', async () => {
    await expect(verifyCommand({ dirs: [tmp.path], format: 'yaml' }, capture())).rejects.toThrow(UsageError);
  });
});
