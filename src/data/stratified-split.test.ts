import { describe, expect, it } from 'vitest';
import { InternalError } from '../errors.ts';
import { mulberry32 } from '../core/prng.ts';
import { allocateProportional, stratifiedSplit, subsetRows } from './stratified-split.ts';

function classCounts(labels: ArrayLike<number>, rows: ArrayLike<number>, classes: number): number[] {
  const counts = new Array(classes).fill(0);
  for (let i = 0; i < rows.length; i++) counts[labels[rows[i]]]++;
  return counts;
}

/** Random labels for `classes` classes with uneven sizes, some classes possibly empty. */
function randomLabels(next: () => number, classes: number, maxPerClass: number): number[] {
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    const count = Math.floor(next() * (maxPerClass + 1));
    for (let k = 0; k < count; k++) labels.push(c);
  }
  // Interleave so that class members are not contiguous.
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  return labels;
}

describe('allocateProportional', () => {
  it.each([
    // counts, n, caps, expected
    [[10, 10, 10], 6, [10, 10, 10], [2, 2, 2]],
    [[10, 10, 10], 7, [10, 10, 10], [3, 2, 2]], // ties go to the lower class
    [[1, 2, 7], 5, [1, 2, 7], [1, 1, 3]], // exact shares 0.5, 1, 3.5: remainders tie, lower class first
    [[5, 0, 5], 3, [5, 0, 5], [2, 0, 1]],
    [[3, 3], 6, [3, 3], [3, 3]],
    [[4, 4], 3, [1, 4], [1, 2]], // a cap moves the unit elsewhere
  ])('counts %j, n %d, caps %j -> %j', (counts, n, caps, expected) => {
    expect(allocateProportional(counts, n, caps)).toEqual(expected);
  });

  it('refuses more units than the caps hold', () => {
    expect(() => allocateProportional([2, 2], 5, [2, 2])).toThrow(InternalError);
  });
});

describe('stratifiedSplit', () => {
  it('on 3,000 random label sets: exact sizes, disjoint, every class within 1 of its share', () => {
    const next = mulberry32(2024);
    let checked = 0;
    for (let t = 0; t < 3000; t++) {
      const classes = 1 + Math.floor(next() * 6);
      const labels = randomLabels(next, classes, next() < 0.3 ? 3 : 25);
      const n = labels.length;
      if (n === 0) continue;
      const nTrain = Math.floor(next() * (n + 1));
      // Half the cases use every example, where the caps are tightest.
      const nTest = next() < 0.5 ? n - nTrain : Math.floor(next() * (n - nTrain + 1));
      const { train, test } = stratifiedSplit(labels, nTrain, nTest, t);
      expect(train.length).toBe(nTrain);
      expect(test.length).toBe(nTest);
      const all = new Set([...train, ...test]);
      expect(all.size).toBe(nTrain + nTest);
      for (const i of all) expect(i >= 0 && i < n).toBe(true);
      const total = classCounts(labels, Int32Array.from(labels.keys()), classes);
      const inTrain = classCounts(labels, train, classes);
      const inTest = classCounts(labels, test, classes);
      for (let c = 0; c < classes; c++) {
        expect(Math.abs(inTrain[c] - (nTrain * total[c]) / n)).toBeLessThan(1);
        expect(Math.abs(inTest[c] - (nTest * total[c]) / n)).toBeLessThan(1);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(2900);
  });

  it('is the same for the same seed and differs for another', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => i % 10);
    const a = stratifiedSplit(labels, 600, 200, 5);
    const b = stratifiedSplit(labels, 600, 200, 5);
    const c = stratifiedSplit(labels, 600, 200, 6);
    expect(b).toEqual(a);
    expect(c.train).not.toEqual(a.train);
    expect(c.test).not.toEqual(a.test);
  });

  it('mixes the classes within each part (not sorted by class)', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
    const { train } = stratifiedSplit(labels, 500, 0, 1);
    // The first 50 train rows should already span most classes.
    expect(new Set([...train.subarray(0, 50)].map((i) => labels[i])).size).toBeGreaterThanOrEqual(8);
  });

  it('rejects impossible sizes and bad labels', () => {
    expect(() => stratifiedSplit([0, 1, 0], 3, 1, 0)).toThrow(InternalError);
    expect(() => stratifiedSplit([0, 1, 0], -1, 1, 0)).toThrow(InternalError);
    expect(() => stratifiedSplit([0, 1.5, 0], 1, 1, 0)).toThrow(InternalError);
    expect(() => stratifiedSplit([0, -1, 0], 1, 1, 0)).toThrow(InternalError);
  });
});

describe('subsetRows', () => {
  const labels = Uint8Array.from({ length: 30 }, (_, i) => i % 3);
  it('takes every row in order when no size is given', () => {
    expect(Array.from(subsetRows(labels, undefined, 5))).toEqual([...labels.keys()]);
  });
  it('takes a seeded stratified sample of the given size', () => {
    const rows = subsetRows(labels, 9, 5);
    expect(rows).toEqual(stratifiedSplit(labels, 9, 0, 5).train);
    expect([0, 1, 2].map((c) => Array.from(rows).filter((r) => labels[r] === c).length)).toEqual([3, 3, 3]);
  });
});
