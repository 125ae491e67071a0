import { describe, expect, it } from 'vitest';
import { MIN_POSITIONS_PER_THREAD, planFilterGrad, TARGET_THREADS, vectorWidth, type FilterGradShape } from './filter-grad-plan.ts';

const shape = (batchSize: number, out: number, inChannels: number, k: number, outChannels: number): FilterGradShape =>
  ({ batchSize, outHeight: out, outWidth: out, inChannels, filterHeight: k, filterWidth: k, outChannels });

describe('planFilterGrad', () => {
  it.each([
    // name, mode, shape, expected tiles, tileIn, tileOut, chunkRows, chunks
    ['cnn conv1 at batch 256 (3x3x1x16, 28x28)', 'conv', shape(256, 28, 1, 3, 16), { tileIn: 1, tileOut: 8, tiles: 18, chunkRows: 3, chunks: 2390, filterSize: 144 }],
    ['cnn conv2 at batch 256 (3x3x16x32, 14x14)', 'conv', shape(256, 14, 16, 3, 32), { tileIn: 8, tileOut: 8, tiles: 72, chunkRows: 5, chunks: 717, filterSize: 4608 }],
    ['odd channels (3 in, 5 out): one element per thread', 'conv', shape(2, 9, 3, 3, 5), { tileIn: 1, tileOut: 1, tiles: 135, chunkRows: 8, chunks: 3, filterSize: 135 }],
    ['a tiny gradient fits one chunk', 'conv', shape(1, 3, 1, 3, 4), { tileIn: 1, tileOut: 4, tiles: 9, chunkRows: 3, chunks: 1, filterSize: 36 }],
    ['depthwise, multiplier 3 on 4 channels (12 = 3 tiles of 4)', 'depthwise', shape(3, 6, 4, 5, 3), { tileIn: 1, tileOut: 4, tiles: 75, chunkRows: 11, chunks: 2, filterSize: 300 }],
  ] as const)('%s', (_, mode, s, want) => {
    const plan = planFilterGrad(mode, s);
    expect(plan).toMatchObject({ mode, ...want, rows: s.batchSize * s.outHeight, threads: want.tiles * want.chunks });
  });

  it.each([
    ['conv', shape(1, 1, 1, 1, 1)],
    ['conv', shape(1024, 28, 1, 3, 16)],
    ['conv', shape(7, 5, 6, 2, 10)],
    ['conv', shape(64, 7, 64, 3, 128)],
    ['depthwise', shape(5, 13, 3, 3, 1)],
  ] as const)('%s %o: the chunks cover every row once, and no chunk is needlessly short', (mode, s) => {
    const plan = planFilterGrad(mode, s);
    expect(plan.chunks * plan.chunkRows).toBeGreaterThanOrEqual(plan.rows);
    expect((plan.chunks - 1) * plan.chunkRows).toBeLessThan(plan.rows);
    expect(plan.chunkRows * s.outWidth >= MIN_POSITIONS_PER_THREAD || plan.chunkRows === plan.rows).toBe(true);
    // More chunks than the target needs only when a chunk is at its minimum length.
    if (plan.chunkRows > Math.ceil(MIN_POSITIONS_PER_THREAD / s.outWidth)) expect(plan.threads).toBeLessThanOrEqual(TARGET_THREADS + plan.tiles);
  });

  it('vectorWidth is the largest power of two up to 4 (or the given most) dividing n', () => {
    expect([1, 2, 3, 4, 6, 8, 12, 16, 18].map((n) => vectorWidth(n))).toEqual([1, 2, 1, 4, 2, 4, 4, 4, 2]);
    expect([1, 2, 3, 4, 6, 8, 12, 16, 18].map((n) => vectorWidth(n, 8))).toEqual([1, 2, 1, 4, 2, 8, 4, 8, 2]);
  });
});
