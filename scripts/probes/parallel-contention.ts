/**
 * Does a second process slow the first? Times the same work alone and as two processes started
 * together: (1) batchlab's loop training the sweep benchmark's MLP 784-128-10 on wasm for a
 * fixed number of steps at batch 16, (2) a register-only arithmetic loop (no memory traffic).
 * Usage: node bin/run-ts.mjs scripts/probes/parallel-contention.ts [steps=2000]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));

async function child(kind: string, steps: number): Promise<void> {
  if (kind === 'arith') {
    const t0 = performance.now();
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let i = 0; i < 4e8; i++) {
      const v = i * 1e-9;
      s0 += v * v; s1 += v * 1.1; s2 += v * 1.2; s3 += v * 1.3; s4 += v * 1.4; s5 += v * 1.5; s6 += v * 1.6; s7 += v * 1.7;
    }
    console.log(JSON.stringify({ ms: performance.now() - t0, check: s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 > 0 }));
    return;
  }
  const { trainModel } = await import('../../src/train/loop.ts');
  const { buildModel } = await import('../../src/models/index.ts');
  const { loadBenchData, resolve, trainConfig, useBackend } = await import('../bench/setup.ts');
  await useBackend('wasm');
  const { dataset, data } = await loadBenchData('mlp');
  const spec = resolve({ model: { name: 'mlp', hidden: [128], norm: 'none' }, train: { steps: 1 } }).model;
  const model = buildModel(spec, dataset.inputShape, dataset.numOutputs, 1);
  await trainModel({ model, data, config: trainConfig(16, 50) }); // warm-up
  const r = await trainModel({ model, data, config: trainConfig(16, steps) });
  console.log(JSON.stringify({ ms: r.trainMs }));
}

function timeChild(kind: string, steps: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RUN_TS, SELF, '--child', kind, String(steps)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += String(d); });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out.trim().split('\n').pop()!) as { ms: number }).ms) : reject(new Error(`child exited ${code}`))));
  });
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  const steps = Number(process.argv[2] ?? 2000);
  for (const kind of ['train', 'arith']) {
    const alone = await timeChild(kind, steps);
    const together = await Promise.all([timeChild(kind, steps), timeChild(kind, steps)]);
    const label = kind === 'train' ? `wasm MLP 784-128-10, ${steps} steps at batch 16` : 'register-only arithmetic';
    console.log(`${label}: alone ${alone.toFixed(0)} ms, two together ${together.map((t) => t.toFixed(0)).join(' / ')} ms (+${((100 * Math.max(...together)) / alone - 100).toFixed(0)}%)`);
  }
}
