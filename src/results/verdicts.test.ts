import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir.ts';
import { UsageError } from '../errors.ts';
import { parseCsv } from './csv.ts';
import { FIXTURE_CLAIM, FIXTURE_ERRORS, writeClaimFixture } from '../../test/support/claim-fixture.ts';
import { readClaimFile, VERDICT_COLUMNS, verifyResultsDir } from './verdicts.ts';

const tmp = useTempDir('batchlab-verdicts-');

async function usage(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}

describe('verifyResultsDir', () => {
  it("evaluates sweep.json's claim and writes verdicts.csv and verdicts.json", async () => {
    await writeClaimFixture(tmp.path);
    const r = await verifyResultsDir(tmp.path);
    const e = FIXTURE_ERRORS;
    const perSeed = [0, 1, 2, 3, 4].map((i) => (e.batch![2]![i]! - e.batch![32]![i]!) - (e.group![2]![i]! - e.group![32]![i]!));
    expect(r.verdicts[0].estimate).toBeCloseTo(perSeed.reduce((a, b) => a + b) / 5, 12);
    expect(r.verdicts[0].verdict).toBe('SUPPORTED');
    expect(r.claimSource).toBe('sweep.json');

    const csv = parseCsv(await readFile(join(tmp.path, 'verdicts.csv'), 'utf8'), 'verdicts.csv');
    expect(csv.columns).toEqual([...VERDICT_COLUMNS]);
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]!.values).toMatchObject({ claim_id: 'C2', kind: 'interaction', verdict: 'SUPPORTED', n_seeds: '5', expect: '> 0', min_seeds: '5' });
    expect(Number(csv.rows[0]!.values.p_value)).toBe(r.verdicts[0].p);
    expect(Number(csv.rows[0]!.values.p_holm)).toBe(r.verdicts[0].pHolm);
    expect(Number(csv.rows[0]!.values.mde)).toBe(r.verdicts[0].mde);
    expect(Number(csv.rows[0]!.values.estimate)).toBeCloseTo(r.verdicts[0].estimate, 12);
    expect(csv.rows[0]!.values.reason).toMatch(/^\[BN\(2\) - BN\(32\)\] - \[GN\(2\) - GN\(32\)\] in final_test_error is \+11\.1 points \(95% CI 9\.66 to 12\.6, n=5 seeds\), entirely above the threshold 0 points; minimal detectable effect at 80% power 1\.98 points\.$/);

    const json = JSON.parse(await readFile(join(tmp.path, 'verdicts.json'), 'utf8'));
    expect(json.sweep).toBe('norm-fixture');
    expect(json.claims[0].test.kind).toBe('interaction');
    expect(json.verdicts[0].reason).toBe(r.verdicts[0].reason);
  });

  it('is reproducible: a second run writes identical files', async () => {
    await writeClaimFixture(tmp.path);
    await verifyResultsDir(tmp.path);
    const first = await readFile(join(tmp.path, 'verdicts.json'), 'utf8');
    await verifyResultsDir(tmp.path);
    expect(await readFile(join(tmp.path, 'verdicts.json'), 'utf8')).toBe(first);
  });

  it('reads curves for steps_to_target, and an override claim replaces the missing one', async () => {
    await writeClaimFixture(tmp.path, null);
    const block = {
      id: 'S', statement: 'batch 32 needs fewer steps than batch 2 to reach 70% test accuracy (GroupNorm)',
      metric: { name: 'steps_to_target', target: 0.7 },
      test: { kind: 'paired-difference', where: { 'model.norm': 'group' }, a: { batch_size: 32 }, b: { batch_size: 2 }, interval: 't' },
      expect: { below: 0 },
    };
    const r = await verifyResultsDir(tmp.path, { block, source: 'claim.yaml' });
    // acc reaches 0.7 at k = 4 (acc*3/4 < 0.7 for acc < 0.93): steps 125 at B=32, 2000 at B=2
    expect(r.verdicts[0].estimate).toBe(125 - 2000);
    expect([r.verdicts[0].lo, r.verdicts[0].hi]).toEqual([-1875, -1875]); // identical differences: no spread
    expect(r.verdicts[0].verdict).toBe('SUPPORTED');
    expect(r.claimSource).toBe('claim.yaml');
  });

  it('a directory without a claim is a UsageError saying what to do', async () => {
    await writeClaimFixture(tmp.path, null);
    const err = await usage(verifyResultsDir(tmp.path));
    expect(err.issues[0]!.message).toContain('pass --claim <file>');
  });

  it('an invalid claim reports issues by path', async () => {
    await writeClaimFixture(tmp.path, { ...FIXTURE_CLAIM, test: { ...FIXTURE_CLAIM.test, kind: 'interactoin' } });
    const err = await usage(verifyResultsDir(tmp.path));
    expect(err.issues[0]!.path).toBe('claim.test.kind');
  });

  it('an unknown column gets a did-you-mean', async () => {
    await writeClaimFixture(tmp.path, { ...FIXTURE_CLAIM, test: { ...FIXTURE_CLAIM.test, a1: { 'model.nrom': 'batch', batch_size: 2 } } });
    const err = await usage(verifyResultsDir(tmp.path));
    expect(err.issues).toEqual([{ path: 'claim.test.a1.model.nrom', message: "expected a column of summary.csv (did you mean 'model.norm'?), got \"model.nrom\"" }]);
  });

  it('an ambiguous selector is a UsageError naming the claim source', async () => {
    await writeClaimFixture(tmp.path, { ...FIXTURE_CLAIM, test: { kind: 'paired-difference', a: { 'model.norm': 'batch' }, b: { 'model.norm': 'group' } } });
    const err = await usage(verifyResultsDir(tmp.path));
    expect(err.message).toBe(`invalid claim in sweep.json of ${tmp.path}`);
    expect(err.issues[0]!.message).toContain('differ in batch_size (2 | 32), lr (0.003125 | 0.05)');
  });
});

describe('readClaimFile', () => {
  it('takes a bare block or the claim: key of a spec', async () => {
    await writeFile(join(tmp.path, 'bare.yaml'), 'id: X\nstatement: s\n');
    await writeFile(join(tmp.path, 'spec.yaml'), 'name: n\nclaim:\n  id: Y\n');
    expect(await readClaimFile(join(tmp.path, 'bare.yaml'))).toEqual({ id: 'X', statement: 's' });
    expect(await readClaimFile(join(tmp.path, 'spec.yaml'))).toEqual({ id: 'Y' });
    await expect(readClaimFile(join(tmp.path, 'none.yaml'))).rejects.toThrow(UsageError);
  });
});

describe('a list of claims', () => {
  it('evaluates every block of a claim list and writes one row each', async () => {
    await writeClaimFixture(tmp.path);
    const sweep = JSON.parse(await readFile(join(tmp.path, 'sweep.json'), 'utf8'));
    const first = sweep.spec.claim;
    const second = { ...first, id: 'C2-flipped', expect: { below: 0 } };
    const r = await verifyResultsDir(tmp.path, { block: [first, second], source: 'list' });
    expect(r.verdicts.map((v) => [v.claimId, v.verdict])).toEqual([['C2', 'SUPPORTED'], ['C2-flipped', 'NOT SUPPORTED']]);
    const csv = parseCsv(await readFile(join(tmp.path, 'verdicts.csv'), 'utf8'), 'verdicts.csv');
    expect(csv.rows.map((row) => row.values.claim_id)).toEqual(['C2', 'C2-flipped']);
    // Holm over the two claims: the smaller p doubled, the larger kept (monotone).
    const [a, b] = r.verdicts;
    const [lo, hi] = a!.p <= b!.p ? [a!, b!] : [b!, a!];
    expect(lo.pHolm).toBeCloseTo(Math.min(1, 2 * lo.p), 15);
    expect(hi.pHolm).toBeCloseTo(Math.max(Math.min(1, 2 * lo.p), hi.p), 15);
  });
});
