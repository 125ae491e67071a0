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
    expect(io2.lines.join('\n')).toMatch(/NOT SUPPORTED: Spearman's rho between batch_size and final_test_error is -1 \(95% CI -1 to -1, n=5 seeds/);
  });

  it('--format md prints the claims table from the saved verdicts.json, evaluating and writing nothing', async () => {
    const dir = join(tmp.path, 'a');
    await writeClaimFixture(dir);
    expect(await verifyCommand({ dirs: [dir], format: 'table' }, capture())).toBe(0);
    const before = await readFile(join(dir, 'verdicts.json'), 'utf8');
    const io = capture();
    expect(await verifyCommand({ dirs: [`${dir}/`], format: 'md' }, io)).toBe(0);
    expect(io.lines.join('\n').split('\n')).toEqual([
      '| claim | statement | statistic | estimate [interval] | n | MDE (80% power) | p (Holm) | verdict | results |',
      '|---|---|---|---|---|---|---|---|---|',
      `| C2 | BatchNorm's error climbs at very small batches while GroupNorm's stays flat. | mean interaction (difference of differences) of final_test_error | +11.1 [9.66, 12.6] points (95% t) | 5 | 1.98 points | 0.0000297 (0.0000297) | SUPPORTED | [a](${dir}) |`,
    ]);
    expect(await readFile(join(dir, 'verdicts.json'), 'utf8')).toBe(before);
    const missing = join(tmp.path, 'never-verified');
    await writeClaimFixture(missing);
    await expect(verifyCommand({ dirs: [missing], format: 'md' }, capture())).rejects.toThrow(/verdicts\.json/);
  });

  it('rejects an unknown format', async () => {
    await expect(verifyCommand({ dirs: [tmp.path], format: 'yaml' }, capture())).rejects.toThrow(UsageError);
  });
});
