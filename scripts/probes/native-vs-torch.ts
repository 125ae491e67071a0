/**
 * The native backend against PyTorch, interleaved: on a shared machine the bench's torch cells
 * run minutes after the tfjs cells, under different load. Here each round times batchlab's loop
 * on `native` and then PyTorch on the same cell for about the same time, at the same thread
 * count, and each side reports its best round. Each side also reports the CPU seconds it used per
 * wall second over its timed rounds (all threads of the process), which shows how many cores it
 * really ran on: ~1 at one thread.
 * With `blas-all-cores`, each round also times PyTorch with OpenBLAS's pool left at one thread
 * per core (how the peer ran before it sized that pool): its matrix products then use every core
 * whatever torch.set_num_threads says.
 * Usage: node bin/run-ts.mjs scripts/probes/native-vs-torch.ts [rounds=4] [threads=1,2] [blas-all-cores]
 */
import { initBackend } from '../../src/backend/index.ts';
import { setNativeThreads } from '../../src/backend/native/addon.ts';
import { disposeTrainEval } from '../../src/runner/train-data.ts';
import { trainModel } from '../../src/train/loop.ts';
import { buildBenchModel, loadBenchData, MODEL_LABELS, trainConfig } from '../bench/setup.ts';
import { runTorch } from '../bench/torch-peer.ts';

const rounds = Number(process.argv[2] ?? 4);
const threadCounts = (process.argv[3] ?? '1,2').split(',').map(Number);
const blasAllCores = process.argv[4] === 'blas-all-cores';
const CELLS = [['mlp', 1024], ['cnn', 64]] as const;
const SECONDS = 1.5;

const mean = (xs: number[]) => (xs.length ? (xs.reduce((p, q) => p + q, 0) / xs.length).toFixed(2) : '-');

await initBackend('native');
const rows: string[] = [];
for (const [modelName, batch] of CELLS) {
  const { dataset, data } = await loadBenchData(modelName);
  const model = buildBenchModel(modelName, dataset);
  for (const threads of threadCounts) {
    setNativeThreads(threads);
    await trainModel({ model, data, config: trainConfig(batch, 3) }); // warm-up
    const pilot = await trainModel({ model, data, config: trainConfig(batch, 3) });
    const steps = Math.max(3, Math.round((SECONDS * 1000) / (pilot.trainMs / 3)));
    let native = 0;
    let torch = 0;
    let nativeCpu = 0;
    let nativeWall = 0;
    const torchCpu: number[] = [];
    let torchAll = 0;
    const torchAllCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const { trainMs } = await trainModel({ model, data, config: trainConfig(batch, steps) });
      const c1 = process.cpuUsage(c0);
      nativeCpu += (c1.user + c1.system) / 1000;
      nativeWall += performance.now() - w0;
      native = Math.max(native, (batch * steps * 1000) / trainMs);
      const [t] = await runTorch([{ model: modelName, batch, seconds: SECONDS, rounds: 1, warmup: 3, min_steps: 3, max_steps: 100_000 }], threads);
      torch = Math.max(torch, t!.samples_per_s);
      if (t!.cpu_per_wall != null) torchCpu.push(t!.cpu_per_wall);
      if (blasAllCores) {
        const [u] = await runTorch([{ model: modelName, batch, seconds: SECONDS, rounds: 1, warmup: 3, min_steps: 3, max_steps: 100_000 }], threads, true);
        torchAll = Math.max(torchAll, u!.samples_per_s);
        if (u!.cpu_per_wall != null) torchAllCpu.push(u!.cpu_per_wall);
      }
      process.stderr.write(`${modelName} b${batch} ${threads}thr round ${r + 1}: native ${Math.round(native)}, torch ${Math.round(torch)}${blasAllCores ? `, torch BLAS on all cores ${Math.round(torchAll)}` : ''} (best so far)\n`);
    }
    const torchCpuPerWall = mean(torchCpu);
    rows.push(
      `| ${MODEL_LABELS[modelName]} | ${batch} | ${threads} | ${Math.round(native).toLocaleString('en-US')} | ${Math.round(torch).toLocaleString('en-US')} | ` +
        `${(native / torch).toFixed(2)} | ${(nativeCpu / nativeWall).toFixed(2)} | ${torchCpuPerWall} |` +
        (blasAllCores ? ` ${Math.round(torchAll).toLocaleString('en-US')} | ${(native / torchAll).toFixed(2)} | ${mean(torchAllCpu)} |` : ''),
    );
  }
  model.dispose();
  disposeTrainEval(data);
  dataset.dispose();
}
console.log(`best of ${rounds} interleaved rounds of ~${SECONDS} s per side; cpu/wall: CPU seconds per wall second over the timed rounds\n`);
const extra = blasAllCores ? ['torch, BLAS on all cores', 'native/that', 'its cpu/wall'] : [];
const header = ['model', 'batch', 'threads', 'native samples/s', 'torch samples/s', 'native/torch', 'native cpu/wall', 'torch cpu/wall', ...extra];
console.log(`| ${header.join(' | ')} |\n| --- |${' ---: |'.repeat(header.length - 1)}`);
console.log(rows.join('\n'));
