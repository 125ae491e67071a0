/** `batchlab compare`, `report` and `verify` through the real binary, on the committed fixture sweep. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../src/results/csv.ts';
import { readCsvColumns, readCsvRows, runCli, tempDir } from './support/cli.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/report/sweep-small');

function copyFixture(): { dir: string; sweep: string } {
  const dir = tempDir();
  const sweep = join(dir, 'sweep');
  cpSync(FIXTURE, sweep, { recursive: true });
  return { dir, sweep };
}

describe('batchlab compare', () => {
  it('pivots over seeds, flags regressions with exit 1, and reports malformed CSVs with file and line, exit 2', async () => {
    const { dir, sweep } = copyFixture();
    const table = await runCli(['compare', 'sweep'], dir);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/rows batch_size, columns scaling_rule × base_lr|rows batch_size/);

    // A second sweep where every accuracy is 5 points lower: a regression beyond 0.01.
    const worse = join(dir, 'worse.csv');
    const summaryFile = join(sweep, 'summary.csv');
    const cols = readCsvColumns(summaryFile);
    writeFileSync(worse, renderCsv(cols, readCsvRows(summaryFile).map((row) => (
      row.final_test_acc === '' ? row : { ...row, final_test_acc: String(Number(row.final_test_acc) - 0.05) }))));
    const ok = await runCli(['compare', 'sweep', 'sweep/summary.csv', '--fail-on-regression', '0.01'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    const regressed = await runCli(['compare', 'sweep', 'worse.csv', '--fail-on-regression', '0.01', '--format', 'md'], dir);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toContain('|');

    // A record cut short after two good lines (written by hand: no writer makes a malformed file).
    const lines = readFileSync(summaryFile, 'utf8').split('\n');
    writeFileSync(join(dir, 'broken.csv'), `${lines[0]}\n${lines[1]}\nr9,completed,16\n`);
    const broken = await runCli(['compare', 'broken.csv'], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.csv:3/);
  });
});

describe('batchlab compare across sweeps with different columns', () => {
  it('compares on the shared design columns, names the ignored ones, and splits a sweep by an arm that varies', async () => {
    const { dir } = copyFixture();
    const summaryFile = join(dir, 'sweep', 'summary.csv');
    // The same runs as a sweep with arms: one arm per seed.
    writeFileSync(join(dir, 'arms.csv'), renderCsv([...readCsvColumns(summaryFile), 'arm'],
      readCsvRows(summaryFile).map((row) => ({ ...row, arm: row.seed === '1' ? 'same-epochs' : 'same-steps' }))));
    const r = await runCli(['compare', 'sweep', 'arms.csv', '--format', 'md'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Ignored column arm: only in ' );
    expect(r.stdout).toMatch(/split by it into \S+\[arm=same-epochs\], \S+\[arm=same-steps\]/);
    const csv = await runCli(['compare', 'sweep', 'arms.csv', '--format', 'csv'], dir);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stderr).toContain('ignored column arm');
    const byArm = await runCli(['compare', 'sweep', 'arms.csv', '--by', 'batch_size,arm'], dir);
    expect(byArm.code).toBe(2);
    expect(byArm.stderr).toContain('--by: column arm is not in every input (missing from sweep)');
  });
});

describe('batchlab report and verify', () => {
  it('writes report.html with charts, and verify adds its verdicts to the report', async () => {
    const { dir, sweep } = copyFixture();
    const report = await runCli(['report', 'sweep', '--findings'], dir);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(join('sweep', 'report.html'));
    // The terminal leads with three findings, one line each, and points to the rest in the report.
    const lines = report.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Findings \(3 of \d+; all of them with intervals and details in sweep[\\/]report\.html#findings\):$/);
    expect(lines.slice(1, 4).map((l) => l.slice(0, 3))).toEqual(['1. ', '2. ', '3. ']);
    expect(lines.length).toBeLessThanOrEqual(7);
    expect(readFileSync(join(sweep, 'charts', 'gen-gap.svg'), 'utf8')).toContain('<svg');

    const claim = join(dir, 'claim.yaml');
    writeFileSync(claim, [
      'claim:',
      '  id: T1',
      '  statement: Test accuracy falls as the batch grows.',
      '  metric: final_test_acc',
      '  test: { kind: rank-correlation, x: batch_size, where: { scaling_rule: none, base_lr: 0.05 } }',
      '  expect: { below: 0 }',
    ].join('\n'));
    const verify = await runCli(['verify', 'sweep', '--claim', 'claim.yaml'], dir);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/T1 .*(SUPPORTED|INCONCLUSIVE)/s);
    expect(readFileSync(join(sweep, 'verdicts.csv'), 'utf8').split('\n')[1]).toMatch(/^T1,/);
    await runCli(['report', 'sweep'], dir);
    expect(readFileSync(join(sweep, 'report.html'), 'utf8')).toContain('id="verdicts"');

    const noClaim = await runCli(['verify', 'sweep'], dir);
    expect(noClaim.code).toBe(2);
  });
});
