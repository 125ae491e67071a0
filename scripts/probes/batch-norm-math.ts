/**
 * Times batchNormForward / batchNormBackward (src/backend/batch-norm-math.ts) on plain arrays:
 * 802,816 values (a [64,28,28,C] activation's size) with C channels, best of 20 calls after 20
 * warm-up calls. Usage: node bin/run-ts.mjs scripts/probes/batch-norm-math.ts [C=16]
 */
import { batchNormBackward, batchNormForward } from '../../src/backend/batch-norm-math.ts';

const c = Number(process.argv[2] ?? 16);
const n = 802816 - (802816 % c);
const random = (size: number) => Float32Array.from({ length: size }, () => Math.random());
const x = random(n);
const dy = random(n);
const y = new Float32Array(n);
const gamma = new Float32Array(c).fill(1);
const beta = new Float32Array(c);
const [mean, variance, dgamma, dbeta] = [0, 0, 0, 0].map(() => new Float32Array(c));
let fwd = Infinity;
let bwd = Infinity;
for (let r = 0; r < 40; r++) {
  const t0 = performance.now();
  batchNormForward(x, gamma, beta, 1e-5, y, mean, variance);
  const t1 = performance.now();
  batchNormBackward(dy, x, gamma, mean, variance, 1e-5, null, null, y, dgamma, dbeta);
  const t2 = performance.now();
  if (r >= 20) {
    fwd = Math.min(fwd, t1 - t0);
    bwd = Math.min(bwd, t2 - t1);
  }
}
console.log(`C=${c}, ${n} values: forward ${fwd.toFixed(2)} ms, backward ${bwd.toFixed(2)} ms`);
