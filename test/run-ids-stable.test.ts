/**
 * Run ids of the shipped specs are pinned: a finished run is found again only under the same id, so
 * a new config key (such as train.checkpointEvery, absent unless given) must leave them unchanged.
 * The pins are the ids these specs planned before checkpoints existed.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpec } from '../src/config/read-spec.ts';
import { validateSpec } from '../src/config/validate.ts';
import { planSweep } from '../src/runner/plan-sweep.ts';

const ROOT = resolve(import.meta.dirname, '..');

// [spec file, runs, first run id, first 16 hex of sha256 over all ids joined by ',']
const PINNED: [string, number, string, string][] = [
  ['experiments/quick.yaml', 48, 'f9418f8c0c9c', '3ddca04dfecc684e'],
  ['experiments/tiny.yaml', 1, '1efdb50d0a5a', 'f8abec2559a6c93b'],
  ['experiments/claims/c1-gradient-noise.yaml', 25, 'b9c66eb2d139', '38b0127977f88d46'],
  ['experiments/claims/c2-batchnorm-small-batch.yaml', 35, '8d72aaeeee69', 'f853da2927deae48'],
  ['experiments/claims/c2-plain-batchnorm-batch-size.yaml', 60, 'cb82a16be7a6', '24777633d3ecfc34'],
  ['experiments/claims/c3-fixed-epochs.yaml', 45, '17e1faaae9d5', '2c0ebb4aa9ab39ab'],
  ['experiments/claims/c4-critical-batch.yaml', 80, '420311956f50', '8b02d8dea804c846'],
  ['experiments/claims/c5-generalisation-gap.yaml', 30, '61e3fc9ca42e', '01855791fd48d220'],
  ['experiments/claims/c6-lr-scaling-rule.yaml', 480, 'ec459a208645', '2d2021b2eb0da327'],
  ['experiments/claims/c7-sum-loss.yaml', 45, '4ea59d055b2a', 'a7630b7e8d1735e7'],
  ['experiments/claims/c8-grow-batch.yaml', 10, '2f36cea41e93', '3123341e6c64f624'],
  ['experiments/claims/c9-accumulation.yaml', 25, '7bd27c785906', '933293e288dd298a'],
];

describe('run ids of existing specs', () => {
  it.each(PINNED)('%s plans the same %i ids as before', async (file, count, first, digest) => {
    const ids = planSweep(await readSpec(resolve(ROOT, file))).map((r) => r.runId);
    expect(ids.length).toBe(count);
    expect(ids[0]).toBe(first);
    expect(createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)).toBe(digest);
  });
});

describe('train.checkpointEvery', () => {
  it.each([
    [{ steps: 100 }, true],
    [{ seconds: 30 }, true],
    [{ seconds: 0.5 }, true],
    [false, true],
    [{ steps: 0 }, false],
    [{ steps: 1.5 }, false],
    [{ minutes: 2 }, false],
    [{ steps: 10, seconds: 5 }, false],
    ['2m', false],
    [true, false],
  ])('%j valid: %s', (value, ok) => {
    const v = validateSpec({ train: { epochs: 1, checkpointEvery: value } });
    expect(v.ok).toBe(ok);
    if (!v.ok) expect(v.issues.every((i) => i.path.startsWith('train.checkpointEvery'))).toBe(true);
  });

  it('is absent unless given (so it does not enter the run id)', () => {
    const v = validateSpec({ train: { epochs: 1 } });
    expect(v.ok && 'checkpointEvery' in v.spec.train).toBe(false);
  });
});
