/**
 * Crashes: an 8-run sweep with 2 workers (12 short epochs a run, long enough that all 5 kills land
 * before it ends) is SIGKILLed (the whole process group) 5 times, each a delay drawn from a fixed
 * seed after that process's first checkpoint, and rerun each time. In the end no run is lost or
 * duplicated, no curve misses or repeats a step, and every metric and curve value equals an
 * uninterrupted sweep's: runs killed mid-way continue from their checkpoints (bit-identical on
 * cpu), and runs left `running` by a dead process are taken up again.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/core/prng.ts';
import { compareSweeps, freshCheckpoint, progressOf, startSweep } from '../scripts/probes/kill-harness.ts';
import { tempDir, writeSpec } from './support/cli.ts';

// BatchNorm and dropout, so a resume must restore moving statistics and the dropout stream too.
const SPEC = `
name: kill
backend: cpu
data: { name: blobs, classes: 4, dim: 16, trainSize: 512, testSize: 128 }
model: { name: mlp, hidden: [64, 32], norm: batch, dropout: 0.1 }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 12, logEvery: 4, checkpointEvery: { steps: 16 } }
sweep:
  batchSize: [16, 32]
  lr: [0.05, 0.1]
  seeds: [1, 2]
`;

const KILLS = 5;

describe('a sweep killed at random moments', () => {
  const dir = tempDir('batchlab-kill-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`survives ${KILLS} SIGKILLs of its process group with nothing lost, repeated or changed`, async () => {
    const spec = writeSpec(dir, 'kill.yaml', SPEC);
    const reference = await startSweep(dir, spec, 'ref', 2).exited;
    expect(reference.code, reference.stderr).toBe(0);

    const random = mulberry32(2026);
    const seen = { checkpoints: 0, running: 0 };
    let kills = 0;
    while (kills < KILLS) {
      const startedAt = Date.now();
      const sweep = startSweep(dir, spec, 'out', 2);
      // Timed from this process's first checkpoint, not from its start, whose length varies with
      // the machine's load: every kill then lands in training, after some progress was saved.
      const delayMs = random() * 800;
      await freshCheckpoint(join(dir, 'out'), startedAt, sweep.exited);
      const outcome = await Promise.race([sweep.exited, new Promise<null>((r) => setTimeout(() => r(null), delayMs))]);
      if (outcome !== null) break; // finished before this kill: the rest of the check still applies
      sweep.killGroup();
      const ended = await sweep.exited;
      expect(ended.signal).toBe('SIGKILL');
      kills += 1;
      const p = progressOf(join(dir, 'out'));
      seen.checkpoints += p.checkpoints;
      seen.running += p.running;
    }
    const last = await startSweep(dir, spec, 'out', 2).exited;
    expect(last.code, last.stderr).toBe(0);

    expect(kills).toBe(KILLS);
    // Kills landed mid-run: runs left `running` by the dead processes, with checkpoints to resume from.
    expect(seen.running).toBeGreaterThan(0);
    expect(seen.checkpoints).toBeGreaterThan(0);
    expect(compareSweeps(join(dir, 'out'), join(dir, 'ref'))).toEqual([]);
  }, 150_000);
});
