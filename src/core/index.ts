/** batchlab's pure core: planning sweeps, scaling and scheduling LRs, run ids, statistics. */

export * from './prng.ts';
export * from './scaling.ts';
export * from './schedule.ts';
export * from './paths.ts';
export * from './grid.ts';
export * from './run-id.ts';
export * from './shard.ts';
export * from './stats/index.ts';
export * from './aggregate.ts';
