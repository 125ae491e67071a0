/**
 * Seeded stratified splits: each class keeps its share of the examples in both parts, so a small
 * train set of a balanced dataset stays balanced.
 */
import { InternalError } from '../errors.ts';
import { createRng, shuffleInPlace } from '../core/prng.ts';

/** Row indices into the source arrays. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Splits `n` units over classes in proportion to `counts`: class c gets floor or ceil of
 * n * counts[c] / sum(counts), never more than caps[c], and the parts add up to `n`.
 * Leftover units go to the largest remainders (ties: lower class first). Pure; integer maths.
 */
export function allocateProportional(counts: ArrayLike<number>, n: number, caps: ArrayLike<number>): number[] {
  let total = 0;
  let capTotal = 0;
  for (let c = 0; c < counts.length; c++) {
    total += counts[c];
    capTotal += caps[c];
  }
  if (n > capTotal || (n > 0 && total === 0)) {
    throw new InternalError(`cannot allocate ${n} examples over classes holding ${capTotal}`);
  }
  const alloc: number[] = [];
  const remainder: number[] = [];
  let left = n;
  for (let c = 0; c < counts.length; c++) {
    const exact = n * counts[c];
    alloc.push(Math.min(Math.floor(exact / total), caps[c]));
    remainder.push(exact % total);
    left -= alloc[c];
  }
  const order = [...alloc.keys()].sort((a, b) => remainder[b] - remainder[a] || a - b);
  // One unit per class per pass keeps every class within one of its share. A second pass runs
  // only if caps block the first; the property test of stratifiedSplit checks that it never does.
  while (left > 0) {
    for (const c of order) {
      if (left === 0) break;
      if (alloc[c] < caps[c]) {
        alloc[c]++;
        left--;
      }
    }
  }
  return alloc;
}

/**
 * A stratified split of examples with class `labels` (integers >= 0) into `nTrain` train and
 * `nTest` test indices, disjoint, each class proportionally represented (within one example).
 * Which examples of a class are taken, and the order of each part, depend only on `seed`.
 */
export function stratifiedSplit(labels: ArrayLike<number>, nTrain: number, nTest: number, seed: number): Split {
  const n = labels.length;
  if (!Number.isInteger(nTrain) || !Number.isInteger(nTest) || nTrain < 0 || nTest < 0 || nTrain + nTest > n) {
    throw new InternalError(`stratifiedSplit: cannot take ${nTrain} train + ${nTest} test from ${n} examples`);
  }
  const byClass: number[][] = [];
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0) {
      throw new InternalError(`stratifiedSplit: label ${label} at ${i} is not an integer >= 0`);
    }
    while (byClass.length <= label) byClass.push([]);
    byClass[label].push(i);
  }
  const counts = byClass.map((members) => members.length);
  const trainPerClass = allocateProportional(counts, nTrain, counts);
  const testPerClass = allocateProportional(
    counts,
    nTest,
    counts.map((count, c) => count - trainPerClass[c]),
  );
  const rng = createRng(seed);
  const train = new Int32Array(nTrain);
  const test = new Int32Array(nTest);
  let trainAt = 0;
  let testAt = 0;
  byClass.forEach((members, c) => {
    shuffleInPlace(members, rng);
    for (let k = 0; k < trainPerClass[c]; k++) train[trainAt++] = members[k];
    for (let k = 0; k < testPerClass[c]; k++) test[testAt++] = members[trainPerClass[c] + k];
  });
  // Mix the classes so that a prefix of either part is itself roughly stratified.
  shuffleInPlace(train, rng);
  shuffleInPlace(test, rng);
  return { train, test };
}

/**
 * Row indices of a subset of the examples with class `labels`: every row in order when `size`
 * is absent, else a seeded stratified sample of `size` rows (stratifiedSplit's train part).
 */
export function subsetRows(labels: ArrayLike<number>, size: number | undefined, seed: number): Int32Array {
  if (size === undefined) return Int32Array.from({ length: labels.length }, (_, i) => i);
  return stratifiedSplit(labels, size, 0, seed).train;
}
