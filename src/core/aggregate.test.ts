import { describe, expect, it } from 'vitest';
import { aggregateBy, compareGroups, compareKeyValues, pivot, type Group } from './aggregate.ts';
import { UsageError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

const rows = [
  { batch_size: 32, scaling: 'linear', seed: 1, test_acc: 0.97 },
  { batch_size: 32, scaling: 'linear', seed: 2, test_acc: 0.95 },
  { batch_size: 32, scaling: 'linear', seed: 3, test_acc: 0.96 },
  { batch_size: '256', scaling: 'linear', seed: 1, test_acc: '0.91' }, // as read from CSV
  { batch_size: 256, scaling: 'linear', seed: 2, test_acc: 0.93 },
  { batch_size: 256, scaling: 'none', seed: 1, test_acc: 0.9 },
  { batch_size: 256, scaling: 'none', seed: 2, test_acc: 'NaN' }, // diverged
  { batch_size: 8, scaling: 'none', seed: 1, test_acc: '' },
];

describe('aggregateBy', () => {
  const groups = aggregateBy(rows, ['batch_size', 'scaling'], 'test_acc');

  it('groups by key values (text-equal values together), sorted numerically', () => {
    expect(groups.map((g) => [g.keys.batch_size, g.keys.scaling, g.n, g.nMissing])).toEqual([
      [8, 'none', 0, 1],
      [32, 'linear', 3, 0],
      ['256', 'linear', 2, 0],
      [256, 'none', 1, 1],
    ]);
  });

  it('summarises with mean, sample std and t interval (scipy stats.t.ppf(0.975, df): df 2 4.3027, df 1 12.706)', () => {
    const g32 = groups[1];
    expect(g32.mean).toBeCloseTo(0.96, 12);
    expect(g32.std).toBeCloseTo(0.01, 12);
    expect(g32.ci95[0]).toBeCloseTo(0.96 - (4.302652729749462 * 0.01) / Math.sqrt(3), 12);
    expect(g32.ci95[1]).toBeCloseTo(0.96 + (4.302652729749462 * 0.01) / Math.sqrt(3), 12);
    const g256 = groups[2];
    expect(g256.mean).toBeCloseTo(0.92, 12);
    expect(g256.ci95[1] - g256.mean).toBeCloseTo((12.706204736174694 * Math.sqrt(0.0002)) / Math.sqrt(2), 12);
  });

  it('gives NaN spread for one value and NaN mean for none', () => {
    expect(groups[3]).toMatchObject({ n: 1, mean: 0.9, std: NaN, ci95: [NaN, NaN] });
    expect(groups[0]).toMatchObject({ n: 0, mean: NaN });
  });

  it('with no keys, summarises everything as one group', () => {
    const [all] = aggregateBy(rows, [], 'seed');
    expect(all).toMatchObject({ keys: {}, n: 8, mean: 13 / 8 });
  });

  it('rejects a row lacking a key column, at its path', () => {
    expect(thrown(() => aggregateBy([{ a: 1, m: 2 }, { m: 3 }], ['a'], 'm'), UsageError).issues[0].path).toBe('rows[1].a');
  });

  it.each([
    [8, 16, -1],
    ['128', '16', 1],
    ['bn', 'gn', -1],
    [2, 'gn', -1],
    ['x', 'x', 0],
  ])('orders %j before/after %j', (a, b, sign) => {
    expect(Math.sign(compareKeyValues(a, b))).toBe(sign);
  });
});

const group = (keys: Group['keys'], mean: number, lo: number, hi: number): Group => ({
  keys,
  n: 3,
  nMissing: 0,
  mean,
  std: 1,
  ci95: [lo, hi],
});

describe('pivot', () => {
  it('lays groups out by row and column key, leaving holes undefined', () => {
    const groups = aggregateBy(rows, ['batch_size', 'scaling'], 'test_acc');
    const t = pivot(groups, 'batch_size', 'scaling');
    expect(t.rows).toEqual([8, 32, '256']);
    expect(t.cols).toEqual(['linear', 'none']);
    expect(t.cells.map((r) => r.map((g) => (g ? g.n : null)))).toEqual([
      [null, 0],
      [3, null],
      [2, 1],
    ]);
  });

  it('rejects two groups in one cell', () => {
    const groups = aggregateBy(rows, ['batch_size', 'scaling', 'seed'], 'test_acc');
    expect(() => pivot(groups, 'batch_size', 'scaling')).toThrow(UsageError);
  });
});

describe('compareGroups', () => {
  it('matches cells by key values, computes differences and interval overlap', () => {
    const a = [group({ b: 32, norm: 'bn' }, 0.9, 0.88, 0.92), group({ b: 2, norm: 'bn' }, 0.7, 0.6, 0.8), group({ b: 4, norm: 'bn' }, 0.8, 0.7, 0.9)];
    const b = [group({ norm: 'bn', b: '2' }, 0.85, 0.81, 0.89), group({ b: 32, norm: 'bn' }, 0.91, 0.9, 0.93), group({ b: 64, norm: 'bn' }, 0.9, 0.8, 1)];
    const out = compareGroups(a, b);
    expect(out.cells.map((c) => [c.keys.b, c.diff, c.overlap])).toEqual([
      [32, 0.9 - 0.91, true],
      [2, 0.7 - 0.85, false],
    ]);
    expect(out.onlyInA.map((g) => g.keys.b)).toEqual([4]);
    expect(out.onlyInB.map((g) => g.keys.b)).toEqual([64]);
  });

  it('treats unknown intervals as overlapping and different key sets as unmatched', () => {
    const out = compareGroups([group({ b: 2 }, 1, NaN, NaN), group({ c: 3 }, 1, 0, 2)], [group({ b: 2 }, 5, 4.9, 5.1), group({ d: 3 }, 1, 0, 2)]);
    expect(out.cells).toHaveLength(1);
    expect(out.cells[0]).toMatchObject({ diff: -4, overlap: true });
    expect(out.onlyInA).toHaveLength(1);
    expect(out.onlyInB).toHaveLength(1);
  });
});
