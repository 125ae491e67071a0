/**
 * How batchlab's webgpu filter gradients split their work; pure.
 *
 * dW[kh,kw,ci,co] = sum over (n, oy, ox) of x[n, oy*sh + kh*dh - top, ox*sw + kw*dw - left, ci]
 * * dy[n, oy, ox, co]. The sum runs over N*OH*OW positions; tfjs-webgpu gives each filter element
 * one thread that walks all of them in sequence. Here the positions are cut into chunks of whole
 * output rows (rows = N*OH, each OW positions long), and each thread sums one chunk for a small
 * tile of filter elements (one tap, `tileIn` input x `tileOut` output channels; depthwise: one
 * tap, `tileOut` consecutive channels), writing partial sums [chunks, filterSize]. A second
 * program adds the chunks in a fixed order. No atomics: the result is the same bits every run.
 */

/** Threads the first stage aims for: enough to fill a large GPU, few enough to keep the partials small. */
export const TARGET_THREADS = 1 << 16;
/** Fewest output positions one thread sums, so a thread's loop outweighs its setup and its partial. */
export const MIN_POSITIONS_PER_THREAD = 64;

export type FilterGradMode = 'conv' | 'depthwise';

/** The sizes a plan needs (tfjs's Conv2DInfo has them all). */
export interface FilterGradShape {
  batchSize: number;
  outHeight: number;
  outWidth: number;
  inChannels: number;
  /** Filter height and width (taps = filterHeight * filterWidth). */
  filterHeight: number;
  filterWidth: number;
  /** conv: output channels; depthwise: the channel multiplier. */
  outChannels: number;
}

export interface FilterGradPlan {
  mode: FilterGradMode;
  /** Input channels per thread (conv; 1 for depthwise). */
  tileIn: number;
  /** Output channels per thread (conv), or channels x multiplier entries per thread (depthwise). */
  tileOut: number;
  /** Threads per chunk: taps x (channel tiles). */
  tiles: number;
  /** Filter elements (the partials' row length). */
  filterSize: number;
  /** Output rows, N*OH. */
  rows: number;
  /** Output rows summed by one thread. */
  chunkRows: number;
  /** Chunks of rows (the partials' row count; 1 means no second stage). */
  chunks: number;
  /** Threads of the first stage: tiles x chunks. */
  threads: number;
}

/** The largest power of two up to `most` (default 4) that divides n. */
export function vectorWidth(n: number, most = 4): number {
  for (let w = most; w > 1; w /= 2) if (n % w === 0) return w;
  return 1;
}

/** Largest channel tiles of a thread (input x output channels). */
export interface FilterGradTiling {
  maxTileIn: number;
  maxTileOut: number;
}

/**
 * Conv: up to 8 x 8, so each position's 16 loads feed 64 multiply-adds (on lavapipe 1.5-1.9x
 * faster than 4 x 4 for both convolutions of the CNN at batch 256, conv-kernel-bench.ts).
 * Depthwise reads x and dy once per product whatever the tile: 4, as measured first.
 */
export const DEFAULT_FILTER_GRAD_TILING: Record<FilterGradMode, FilterGradTiling> = {
  conv: { maxTileIn: 8, maxTileOut: 8 },
  depthwise: { maxTileIn: 1, maxTileOut: 4 },
};

/** The work split for one filter gradient; every size must be a positive integer. */
export function planFilterGrad(mode: FilterGradMode, s: FilterGradShape, tiling = DEFAULT_FILTER_GRAD_TILING[mode]): FilterGradPlan {
  const taps = s.filterHeight * s.filterWidth;
  // Depthwise: the filter's last two axes flatten to dy's channel index c*multiplier + m.
  const channels = mode === 'conv' ? s.outChannels : s.inChannels * s.outChannels;
  const tileIn = mode === 'conv' ? vectorWidth(s.inChannels, tiling.maxTileIn) : 1;
  const tileOut = vectorWidth(channels, tiling.maxTileOut);
  const tiles = taps * (mode === 'conv' ? s.inChannels / tileIn : 1) * (channels / tileOut);
  const filterSize = taps * (mode === 'conv' ? s.inChannels : 1) * channels;
  const rows = s.batchSize * s.outHeight;
  const wantChunks = Math.max(1, Math.floor(TARGET_THREADS / tiles));
  const chunkRows = Math.min(rows, Math.max(Math.ceil(MIN_POSITIONS_PER_THREAD / s.outWidth), Math.ceil(rows / wantChunks)));
  const chunks = Math.ceil(rows / chunkRows);
  return { mode, tileIn, tileOut, tiles, filterSize, rows, chunkRows, chunks, threads: tiles * chunks };
}
