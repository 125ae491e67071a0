import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { SUMMARY_COLUMNS } from '../../results/columns.ts';
import { parseCsv, type CsvRow } from '../../results/csv.ts';
import { fixtureFiles } from '../../../test/fixtures/report/generate-fixture.ts';
import { alignInputs, compareResults, describeIgnored, metricDirection, type CompareInput } from './compare.ts';

/** Summary rows with every column; `acc` per (batch, rule) cell, one row per value (a seed each). */
function input(label: string, cells: Record<string, number[]>, status: Record<string, string[]> = {}): CompareInput {
  const rows: CsvRow[] = [];
  for (const [cell, accs] of Object.entries(cells)) {
    const [batch, rule] = cell.split('/');
    accs.forEach((acc, i) => {
      const values = Object.fromEntries(SUMMARY_COLUMNS.map((c) => [c, '1']));
      Object.assign(values, {
        run_id: `${label}-${cell}-${i}`, status: status[cell]?.[i] ?? 'completed', batch_size: batch, scaling_rule: rule,
        base_lr: '0.1', lr: '0.1', seed: String(i), final_test_acc: Number.isNaN(acc) ? '' : String(acc), backend: 'wasm',
      });
      rows.push({ line: rows.length + 2, values });
    });
  }
  return { label, file: `${label}/summary.csv`, rows };
}

const fixture = (opts: Parameters<typeof fixtureFiles>[0] = {}, label = 'a'): CompareInput => ({
  label, file: `${label}/summary.csv`, rows: parseCsv(fixtureFiles(opts).get('summary.csv')!, `${label}/summary.csv`).rows,
});

const usage = (f: () => unknown): string => {
  try { f(); } catch (e) { if (e instanceof UsageError) return e.message; throw e; }
  throw new Error('expected a UsageError');
};

describe('metricDirection', () => {
  it.each([
    ['final_test_acc', 'higher'], ['best_test_acc', 'higher'], ['samples_per_s', 'higher'],
    ['final_test_loss', 'lower'], ['gen_gap_acc', 'lower'], ['gen_gap_loss', 'lower'], ['wall_s', 'lower'], ['steps', null],
  ])('%s -> %s', (m, d) => expect(metricDirection(m)).toBe(d));
});

describe('compareResults', () => {
  it('aggregates seeds: mean, std and a t-based 95% CI', () => {
    const out = compareResults([input('a', { '16/linear': [0.9, 0.92, 0.94] })], { format: 'json' });
    const cell = JSON.parse(out.text).cells[0].values[0];
    expect(cell.n).toBe(3);
    expect(cell.mean).toBeCloseTo(0.92, 12);
    expect(cell.std).toBeCloseTo(0.02, 12);
    expect(cell.ciHigh - cell.mean).toBeCloseTo((4.303 * 0.02) / Math.sqrt(3), 4); // t(0.975, 2) = 4.303 from tables
  });

  it('pivots rows by the first key and columns by the rest, numerically sorted', () => {
    const out = compareResults([input('a', { '256/none': [0.5, 0.6], '16/none': [0.9, 0.9], '16/linear': [0.8, 0.82] })], { format: 'table' });
    const lines = out.text.split('\n');
    expect(lines[2]).toMatch(/^batch_size\s+linear\s+none$/);
    expect(lines[4]).toMatch(/^16\s+0\.81 ± 0\.13 n=2\s+0\.9 ± 0 n=2$/);
    expect(lines[5]).toMatch(/^256\s+—\s+0\.55 ± 0\.64 n=2$/);
  });

  it('flags cells whose CIs do not overlap and lists regressions beyond the tolerance', () => {
    const a = input('a', { '16/x': [0.9, 0.91, 0.92], '32/x': [0.9, 0.91, 0.92], '64/x': [0.9, 0.91, 0.92] });
    const b = input('b', { '16/x': [0.95, 0.96, 0.97], '32/x': [0.885, 0.895, 0.905], '64/x': [0.85, 0.86, 0.87] });
    const out = compareResults([a, b], { failOnRegression: 0.01 });
    expect(out.regressions.map((c) => [c.keys.batch_size, Number(c.diff.toFixed(4)), c.ciSeparated])).toEqual([['32', -0.015, false], ['64', -0.05, true]]);
    expect(out.text).toMatch(/^16 .*\+0\.05 \*$/m);
    expect(out.text).toMatch(/^32 .*−0\.015 !$/m); // beyond the tolerance although the CIs overlap
    expect(out.text).toMatch(/^64 .*−0\.05 \* !$/m);
  });

  it('counts a cell that lost all its completed runs as a regression', () => {
    const a = input('a', { '16/x': [0.9, 0.9] });
    const b = input('b', { '16/x': [NaN, NaN] }, { '16/x': ['diverged', 'diverged'] });
    const out = compareResults([a, b], { failOnRegression: 0.5 });
    expect(out.regressions).toHaveLength(1);
    expect(out.text).toContain('— n=0 +2 not completed');
  });

  it('uses lower-is-better for losses and times', () => {
    const rows = (label: string, wall: string) => {
      const i = input(label, { '16/x': [0.9, 0.9] });
      i.rows.forEach((r) => (r.values.wall_s = wall));
      return i;
    };
    expect(compareResults([rows('a', '10'), rows('b', '12')], { metric: 'wall_s', failOnRegression: 1 }).regressions).toHaveLength(1);
    expect(compareResults([rows('a', '10'), rows('b', '8')], { metric: 'wall_s', failOnRegression: 1 }).regressions).toHaveLength(0);
  });

  it('finds the fixture shifted by -0.02 accuracy worse in every cell with completed runs', () => {
    const by = ['batch_size', 'scaling_rule', 'base_lr'];
    const out = compareResults([fixture(), fixture({ accShift: -0.02 }, 'b')], { by, failOnRegression: 0.01 });
    expect(out.regressions).toHaveLength(12);
    for (const c of out.regressions) expect(c.diff).toBeCloseTo(-0.02, 4);
    expect(compareResults([fixture(), fixture({ accShift: -0.02 }, 'b')], { by, failOnRegression: 0.03 }).regressions).toEqual([]);
  });

  it('writes csv (one row per cell and input) and markdown', () => {
    const by = ['batch_size', 'scaling_rule', 'base_lr'];
    const csv = compareResults([fixture(), fixture({}, 'b')], { by, format: 'csv' }).text;
    const t = parseCsv(csv, 'out.csv');
    expect(t.rows).toHaveLength(24);
    expect(t.columns.slice(0, 5)).toEqual([...by, 'label', 'n']);
    expect(t.rows.filter((r) => r.values.label === 'b').every((r) => r.values.diff_vs_first === '0')).toBe(true);
    const md = compareResults([fixture()], { by, format: 'md' }).text;
    expect(md).toMatch(/^\| batch_size \| linear 0\.05 \| linear 0\.2 \| none 0\.05 \| none 0\.2 \|$/m);
    expect(md.match(/^\| (16|64|256) \|/gm)).toHaveLength(3);
  });

  it.each([
    ['runs that differ in base LR in one cell', {}, 'a/summary.csv:8: runs in the cell batch_size=16, scaling_rule=none differ in base_lr, lr', ''],
    ['a missing metric column', { metric: 'final_test_accuracy' }, 'a/summary.csv:1: missing column final_test_accuracy', ''],
    ['a missing by column', { by: ['batch', 'scaling_rule', 'base_lr'] }, 'a/summary.csv:1: missing column batch', ''],
    ['a non-numeric metric', { by: ['batch_size', 'scaling_rule', 'base_lr'] }, 'a/summary.csv:3: column final_test_acc: expected a finite number', 'abc'],
    ['an empty metric of a completed run', { by: ['batch_size', 'scaling_rule', 'base_lr'] }, 'a/summary.csv:3: column final_test_acc: expected a finite number for a completed run, got "" (a regression sweep', ' '],
  ])('rejects %s', (_name, opts, message, badValue) => {
    const a = fixture();
    if (badValue) a.rows[1]!.values.final_test_acc = badValue;
    expect(usage(() => compareResults([a], opts))).toContain(message);
  });

  it('rejects a tolerance without a second input or a known direction', () => {
    const a = input('a', { '16/x': [0.9] });
    expect(usage(() => compareResults([a], { failOnRegression: 0.1 }))).toContain('needs at least two inputs');
    expect(usage(() => compareResults([a, a], { metric: 'steps', failOnRegression: 0.1 }))).toContain('cannot tell whether higher or lower steps');
  });
});

describe('alignInputs: sweeps with different design columns', () => {
  /** `input` rows with an extra design column (an arm) set per seed index. */
  const withArm = (label: string, cells: Record<string, number[]>, arms: string[]): CompareInput => {
    const i = input(label, cells);
    i.rows.forEach((r, k) => { r.values.arm = arms[k % arms.length]!; });
    return i;
  };

  it('leaves inputs with the same columns alone', () => {
    const a = input('a', { '16/x': [0.9, 0.91] });
    const out = alignInputs([a, input('b', { '16/x': [0.8, 0.81] })]);
    expect(out.ignored).toEqual([]);
    expect(out.inputs.map((i) => i.label)).toEqual(['a', 'b']);
    expect(out.common).toEqual(['batch_size', 'base_lr', 'lr', 'scaling_rule', 'backend']);
  });

  it('ignores a column only one input has, and names it in every output format', () => {
    const a = withArm('a', { '16/x': [0.9, 0.92] }, ['same-epochs']);
    const b = input('b', { '16/x': [0.8, 0.82] });
    const { inputs, ignored } = alignInputs([a, b]);
    expect(ignored).toEqual([{ column: 'arm', presentIn: ['a'], missingFrom: ['b'], split: {} }]);
    expect(inputs.map((i) => i.label)).toEqual(['a', 'b']);
    const out = compareResults(inputs, { ignored });
    expect(out.text).toContain('Ignored column arm: only in a (not in b).');
    expect(out.text).toMatch(/^16 .*−0\.1( \*)?$/m);
    const json = JSON.parse(compareResults(inputs, { ignored, format: 'json' }).text);
    expect(json.ignoredColumns[0].column).toBe('arm');
  });

  it('splits an input by an ignored column that varies in it, so arms are never pooled as seeds', () => {
    // Seeds alternate arms: arm p has 0.9, 0.9; arm q has 0.5, 0.5.
    const a = withArm('a', { '16/x': [0.9, 0.5, 0.9, 0.5] }, ['p', 'q']);
    const b = input('b', { '16/x': [0.9, 0.9] });
    const { inputs, ignored } = alignInputs([b, a]);
    expect(inputs.map((i) => i.label)).toEqual(['b', 'a[arm=p]', 'a[arm=q]']);
    expect(describeIgnored(ignored)).toEqual(['ignored column arm: only in a (not in b); a split by it into a[arm=p], a[arm=q]']);
    const cells = JSON.parse(compareResults(inputs, { ignored, format: 'json' }).text).cells[0];
    expect(cells.diffs.map((d: { diff: number }) => Number(d.diff.toFixed(6)))).toEqual([0, -0.4]);
    // Without the split the runs would differ in arm inside one cell and be refused.
    expect(usage(() => compareResults([b, a]))).toContain('differ in arm');
  });
});
