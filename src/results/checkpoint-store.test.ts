/**
 * The checkpoint file: what is written is read back exactly (typed arrays, nulls, non-finite
 * numbers), and a file that is not a whole checkpoint of the run is refused rather than used.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoopCheckpoint } from '../train/checkpoint-state.ts';
import {
  CheckpointUnreadableError, checkpointFileOf, readCheckpoint, removeCheckpoint, removeCheckpointTemps, writeCheckpoint,
} from './checkpoint-store.ts';

function state(): LoopCheckpoint {
  return {
    step: 12, examplesSeen: 96, firstLoss: 1.0986, wallMs: 1234.5, outsideMs: 200.25,
    final: { train_loss: 0.5, train_acc: 0.75, test_loss: null, test_acc: null, best_test_acc: 0.8 },
    sampler: { epoch: 1, pos: 32, draws: 2, perm: Int32Array.from([3, 0, 2, 1]) },
    weights: [
      { shape: [2, 2], dtype: 'float32', values: Float32Array.from([0.1, -0, Math.fround(1 / 3), -2.5e-38]) },
      { shape: [], dtype: 'float32', values: Float32Array.from([7]) },
    ],
    optimizer: { t: 12, slots: [{ shape: [3], dtype: 'float32', values: Float32Array.from([1, 2, 3]) }] },
    gradStats: { draws: 99, noise: { avgG: NaN, avgTrace: Infinity, weight: -Infinity } },
  };
}

/** The checkpoint `b` with its JSON header replaced by `change(header)`. */
function withHeader(b: Buffer, change: (header: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const end = 12 + b.readUInt32LE(8);
  const header = Buffer.from(JSON.stringify(change(JSON.parse(b.toString('utf8', 12, end)) as Record<string, unknown>)), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([b.subarray(0, 8), length, header, b.subarray(end)]);
}

describe('checkpoint-store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batchlab-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back exactly what it wrote, bit for bit', async () => {
    const random = { i: 3, j: 7, S: Array.from({ length: 256 }, (_, k) => (k * 7) % 256) };
    await writeCheckpoint(dir, { runId: 'abc', random, curveLength: 1234, state: state() });
    const back = await readCheckpoint(dir, 'abc');
    expect(back).toEqual({ runId: 'abc', random, curveLength: 1234, state: state() });
    const w = back!.state.weights[0].values as Float32Array;
    expect(Array.from(new Uint32Array(w.buffer))).toEqual(Array.from(new Uint32Array(state().weights[0].values.buffer)));
    expect(back!.state.sampler.perm).toBeInstanceOf(Int32Array);
    expect(readdirSync(dir)).toEqual(['checkpoint.bin']); // no temporary left
  });

  it('has none when the file is absent', async () => {
    expect(await readCheckpoint(dir, 'abc')).toBeNull();
  });

  it.each([
    ['another run', (b: Buffer) => b, 'xyz', /checkpoint of run abc, expected xyz/],
    ['a flipped byte in the tensors', (b: Buffer) => { b[b.length - 1] ^= 1; return b; }, 'abc', /checksum/],
    ['a truncated file', (b: Buffer) => b.subarray(0, 40), 'abc', /truncated|unreadable/],
    ['another format', (b: Buffer) => Buffer.from('PK\x03\x04 not a checkpoint'), 'abc', /not a batchlab checkpoint/],
    ['format 1 (it held the curve rows)', (b: Buffer) => withHeader(b, (h) => ({ ...h, format: 1 })), 'abc', /format 1, expected 2/],
    ['no curve length', (b: Buffer) => withHeader(b, ({ curveLength: _, ...h }) => h), 'abc', /no curve length/],
  ])('refuses %s', async (_, mangle, runId, message) => {
    await writeCheckpoint(dir, { runId: 'abc', random: null, curveLength: 0, state: state() });
    writeFileSync(checkpointFileOf(dir), mangle(readFileSync(checkpointFileOf(dir))));
    await expect(readCheckpoint(dir, runId)).rejects.toThrow(CheckpointUnreadableError);
    await expect(readCheckpoint(dir, runId)).rejects.toThrow(message);
  });

  it('removes the checkpoint and the temporaries of interrupted writes', async () => {
    await writeCheckpoint(dir, { runId: 'abc', random: null, curveLength: 0, state: state() });
    writeFileSync(join(dir, 'checkpoint.bin.123.0.tmp'), 'half');
    writeFileSync(join(dir, 'curve.csv'), 'step\n');
    await removeCheckpointTemps(dir);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.bin', 'curve.csv']);
    await removeCheckpoint(dir);
    expect(existsSync(checkpointFileOf(dir))).toBe(false);
    expect(readdirSync(dir)).toEqual(['curve.csv']);
  });
});
