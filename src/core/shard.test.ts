import { describe, expect, it } from 'vitest';
import { parseShard, selectShard, shardFromEnv } from './shard.ts';
import { UsageError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

describe('selectShard', () => {
  const runs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  it.each([
    [0, 1, ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
    [0, 3, ['a', 'd', 'g']],
    [1, 3, ['b', 'e']],
    [2, 3, ['c', 'f']],
    [6, 10, ['g']],
    [8, 10, []],
  ])('shard %d of %d', (index, count, expected) => {
    expect(selectShard(runs, index, count)).toEqual(expected);
  });

  it('partitions: shards are disjoint and together cover every run once', () => {
    const items = Array.from({ length: 101 }, (_, i) => i);
    for (const count of [1, 2, 7, 101, 150]) {
      const all = Array.from({ length: count }, (_, i) => selectShard(items, i, count)).flat();
      expect(all.sort((a, b) => a - b)).toEqual(items);
    }
  });

  it.each([
    [3, 3],
    [-1, 3],
    [0, 0],
    [0.5, 2],
  ])('rejects index %d of %d', (index, count) => {
    expect(() => selectShard(runs, index, count)).toThrow(UsageError);
  });
});

describe('parseShard', () => {
  it.each([
    ['0/1', 0, 1],
    ['3/4', 3, 4],
    [' 2 / 10 ', 2, 10],
  ])('%j', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });

  it.each(['4/4', '1/0', '-1/4', '1.5/4', '1', 'a/b', '1/4/2', ''])('rejects %j', (text) => {
    expect(() => parseShard(text, '--shard')).toThrow(UsageError);
    try {
      parseShard(text, '--shard');
    } catch (e) {
      expect((e as UsageError).issues[0].path).toBe('--shard');
    }
  });
});

describe('shardFromEnv', () => {
  it.each([
    [{}, undefined],
    [{ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' }, { index: 2, count: 4, source: 'SLURM_ARRAY_TASK_ID' }],
    [{ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }, { index: 3, count: 4, source: 'SLURM_ARRAY_TASK_ID' }],
    [{ JOB_COMPLETION_INDEX: '0', BATCHLAB_SHARD_COUNT: '3' }, { index: 0, count: 3, source: 'JOB_COMPLETION_INDEX' }],
    // Slurm wins when both are present.
    [{ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2', JOB_COMPLETION_INDEX: '0', BATCHLAB_SHARD_COUNT: '3' }, { index: 1, count: 2, source: 'SLURM_ARRAY_TASK_ID' }],
  ])('%j', (env, expected) => {
    expect(shardFromEnv(env)).toEqual(expected);
  });

  it.each([
    [{ SLURM_ARRAY_TASK_ID: '2' }, 'env.SLURM_ARRAY_TASK_COUNT'],
    [{ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' }, 'env.SLURM_ARRAY_TASK_ID'],
    [{ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' }, 'env.SLURM_ARRAY_TASK_ID'],
    [{ JOB_COMPLETION_INDEX: '1' }, 'env.BATCHLAB_SHARD_COUNT'],
    [{ JOB_COMPLETION_INDEX: '3', BATCHLAB_SHARD_COUNT: '3' }, 'env.JOB_COMPLETION_INDEX'],
    [{ JOB_COMPLETION_INDEX: '0', BATCHLAB_SHARD_COUNT: '0' }, 'env.JOB_COMPLETION_INDEX'],
  ])('rejects %j at %s', (env, path) => {
    expect(thrown(() => shardFromEnv(env), UsageError).issues[0].path).toBe(path);
  });
});
