/**
 * What a sweep worker pays before its first step: importing the backend code (tfjs, wasm),
 * initialising the wasm backend, and loading the sweep benchmark's dataset (mnist, 2,000 train
 * digits). Times from the start of this script; tsx and Node start-up come before it.
 * Usage: node bin/run-ts.mjs scripts/probes/startup.ts
 */
const t0 = performance.now();
const lap = (what: string) => console.log(`${what}: ${(performance.now() - t0).toFixed(0)} ms`);
const { initBackend } = await import('../../src/backend/index.ts');
const { loadDataset } = await import('../../src/data/index.ts');
lap('imported backend and data code');
await initBackend('wasm');
lap('wasm backend ready');
const dataset = await loadDataset({ name: 'mnist', trainSize: 2000, testSize: 500, seed: 0 } as Parameters<typeof loadDataset>[0]);
lap('mnist loaded');
dataset.dispose();
