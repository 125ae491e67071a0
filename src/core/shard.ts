/**
 * Splitting a sweep across machines: shard `index` of `count` takes every run whose
 * position i in the planned list satisfies i % count == index. Positions come from the
 * deterministic grid order, so every machine agrees without talking to the others, and
 * round-robin spreads each cell's seeds over different shards.
 */

import { UsageError } from '../errors.ts';

export interface Shard {
  /** 0-based, < count. */
  index: number;
  /** >= 1. */
  count: number;
}

/** The runs of shard `index` of `count` (0 <= index < count), in their original order. */
export function selectShard<T>(runs: readonly T[], index: number, count: number): T[] {
  checkShard(index, count, 'shard');
  return runs.filter((_, i) => i % count === index);
}

/** Parses 'i/n' (0-based i, e.g. '0/4' .. '3/4'). Throws UsageError at path `issuePath`. */
export function parseShard(text: string, issuePath = 'shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError('invalid shard', [{ path: issuePath, message: `expected 'i/n' with 0 <= i < n, got '${text}'` }]);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  checkShard(shard.index, shard.count, issuePath);
  return shard;
}

export interface EnvShard extends Shard {
  /** The variable the index was read from. */
  source: 'SLURM_ARRAY_TASK_ID' | 'JOB_COMPLETION_INDEX';
}

/**
 * The shard a batch scheduler assigned to this process, or undefined when none did.
 * Slurm job arrays: SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, offset by
 * SLURM_ARRAY_TASK_MIN when set (so `--array=1-4` maps to shards 0..3; arrays with a
 * step such as `--array=0-7:2` are not supported). Kubernetes indexed Jobs:
 * JOB_COMPLETION_INDEX (0-based) with the count in BATCHLAB_SHARD_COUNT.
 * `env` is passed in (e.g. process.env) to keep this pure. Throws UsageError when a
 * variable is set but unusable.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>): EnvShard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = envInt(env, 'SLURM_ARRAY_TASK_ID');
    const count = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : envInt(env, 'SLURM_ARRAY_TASK_MIN');
    checkShard(id - min, count, 'env.SLURM_ARRAY_TASK_ID');
    return { index: id - min, count, source: 'SLURM_ARRAY_TASK_ID' };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = envInt(env, 'JOB_COMPLETION_INDEX');
    const count = envInt(env, 'BATCHLAB_SHARD_COUNT');
    checkShard(index, count, 'env.JOB_COMPLETION_INDEX');
    return { index, count, source: 'JOB_COMPLETION_INDEX' };
  }
  return undefined;
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const raw = env[name];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) {
    throw new UsageError('invalid shard environment', [
      { path: `env.${name}`, message: raw === undefined ? 'expected an integer >= 0, but it is not set' : `expected an integer >= 0, got '${raw}'` },
    ]);
  }
  return Number(raw);
}

function checkShard(index: number, count: number, path: string): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError('invalid shard', [{ path, message: `expected a shard count >= 1, got ${count}` }]);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new UsageError('invalid shard', [{ path, message: `expected a shard index in 0..${count - 1}, got ${index}` }]);
  }
}
