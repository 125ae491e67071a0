/**
 * Crash soak: SIGKILLs a 12-run, 2-worker sweep (the whole process group) 20 times at random 1-8 s
 * intervals, rerunning it after each kill, then lets it finish and compares it with an uninterrupted
 * sweep of the same spec. Each run is longer than any interval, so only checkpoints let the sweep
 * advance. Prints the progress after every kill and the final check; exits 1 when the folders differ.
 *
 *   node bin/run-ts.mjs scripts/probes/kill-sweep.ts [--kills 20] [--min 1] [--max 8] [--seed 1] [--dir DIR]
 *
 * Intervals are timed from the start of the runs (the sweep's `sweep: N runs` line), so a slow
 * start-up on a loaded machine does not eat them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../src/core/prng.ts';
import { compareSweeps, progressOf, startSweep } from './kill-harness.ts';

const SPEC = `
name: kill-soak
backend: cpu
data: { name: blobs, classes: 4, dim: 16, trainSize: 1024, testSize: 256 }
model: { name: mlp, hidden: [64, 32], norm: batch, dropout: 0.1 }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 40, logEvery: 16, checkpointEvery: { seconds: 1 } }
sweep:
  batchSize: [16]
  lr: [0.05, 0.1, 0.2]
  seeds: [1, 2, 3, 4]
`;

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    min: { type: 'string', default: '1' },
    max: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string' },
  },
});
const kills = Number(values.kills);
const [minS, maxS] = [Number(values.min), Number(values.max)];
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'batchlab-kill-soak-'));
const spec = join(dir, 'kill-soak.yaml');
writeFileSync(spec, SPEC);
const out = join(dir, 'out');
const seconds = (ms: number) => (ms / 1000).toFixed(1);

console.log(`folder ${dir}`);
const t0 = Date.now();
const ref = await startSweep(dir, spec, 'ref', 2).exited;
if (ref.code !== 0) throw new Error(`the uninterrupted sweep failed (exit ${ref.code}):\n${ref.stderr}`);
const refMs = Date.now() - t0;
console.log(`uninterrupted sweep: ${seconds(refMs)} s`);

const random = mulberry32(Number(values.seed));
const start = Date.now();
let done = 0;
for (let k = 1; k <= kills; k++) {
  const sweep = startSweep(dir, spec, 'out', 2);
  const delayMs = (minS + random() * (maxS - minS)) * 1000;
  await sweep.started;
  const finished = await Promise.race([sweep.exited, new Promise<null>((r) => setTimeout(() => r(null), delayMs))]);
  if (finished !== null) {
    console.log(`kill ${k}: the sweep finished first (exit ${finished.code})`);
    break;
  }
  sweep.killGroup();
  await sweep.exited;
  done = k;
  const p = progressOf(out);
  console.log(`kill ${k} after ${seconds(delayMs)} s of runs: ${p.finished}/12 runs finished, ${p.running} left running, `
    + `${p.checkpoints} checkpoints holding ${p.checkpointSteps} steps (elapsed ${seconds(Date.now() - start)} s)`);
}
const last = await startSweep(dir, spec, 'out', 2).exited;
const totalMs = Date.now() - start;
const problems = compareSweeps(out, join(dir, 'ref'));
const p = progressOf(out);
console.log(`final run: exit ${last.code}; ${done} kills; ${seconds(totalMs)} s from the first start to the end `
  + `(uninterrupted: ${seconds(refMs)} s); ${p.finished}/12 runs finished`);
console.log(problems.length === 0 ? 'identical to the uninterrupted sweep (summary and every curve row, timings aside)' : problems.join('\n'));
process.exitCode = last.code === 0 && problems.length === 0 ? 0 : 1;
