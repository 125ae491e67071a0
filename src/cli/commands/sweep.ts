/** `batchlab sweep <spec>`: plans the grid, runs this shard of it (resumably), writes summary.csv. */
import { availableParallelism } from 'node:os';
import { planThreads } from '../../backend/threads.ts';
import { readSpec } from '../../config/read-spec.ts';
import { parseShard, shardFromEnv, type Shard } from '../../core/shard.ts';
import { EXIT, UsageError } from '../../errors.ts';
import { defaultResultsDir, resultsPaths } from '../../results/layout.ts';
import { inputHashesOf } from '../../runner/input-hashes.ts';
import { planSweep } from '../../runner/plan.ts';
import { preflight } from '../../runner/preflight.ts';
import { lockStaleMs } from '../../results/folder-lock.ts';
import { launchWorker, WORKER_ENTRY_ENV } from '../../runner/worker-process.ts';
import { backendOptionsOf, backendSets, type SweepArgs } from '../command-options.ts';
import type { Output } from '../output.ts';
import { rerunWithoutNativeNoise, shouldHideDawnNoise } from '../native-noise.ts';
import { createSweepProgress } from '../sweep-progress.ts';

function resolveShard(args: SweepArgs, env: NodeJS.ProcessEnv): Shard | undefined {
  if (args.shard !== undefined) return parseShard(args.shard, '--shard');
  const withCount = args.shardCount !== undefined ? { ...env, BATCHLAB_SHARD_COUNT: String(args.shardCount) } : env;
  return shardFromEnv(withCount);
}

function defaultWorkers(backend: string): number {
  // A GPU is shared badly by several processes; CPU backends here are single-threaded per process.
  return backend === 'tensorflow' || backend === 'webgpu' ? 1 : availableParallelism();
}

export async function sweepCommand(args: SweepArgs, io: Output, signal: AbortSignal): Promise<number> {
  const spec = await readSpec(args.spec, backendSets(args));
  if (args.workers !== undefined && (!Number.isInteger(args.workers) || args.workers < 1)) {
    throw new UsageError('invalid option', [{ path: '--workers', message: `expected a positive integer, got ${args.workers}` }]);
  }
  const options = backendOptionsOf(args.threads);
  const shard = resolveShard(args, process.env);
  const { runs: all, selected: runs } = planSweep(spec, shard, await inputHashesOf(spec));
  const outDir = args.out ?? defaultResultsDir(spec.name);
  const outFlag = args.out !== undefined ? '--out' : 'name';
  await preflight(spec, all, { dir: outDir, flag: outFlag });
  if (args.dryRun) {
    io.out(`${spec.name}: ${all.length} runs planned${shard ? `, shard ${shard.index}/${shard.count} takes ${runs.length}` : ''}; output ${outDir}`);
    io.out(['run_id      ', 'batch', 'base_lr', 'rule  ', 'k     ', 'lr      ', 'seed', 'axes'].join('  '));
    for (const r of runs) {
      const m = r.meta;
      io.out([r.runId, String(m.batchSize).padStart(5), m.baseLr.toPrecision(3).padStart(7), m.scalingRule.padEnd(6),
        m.batchRatio.toPrecision(3).padEnd(6), m.lr.toPrecision(4).padEnd(8), String(m.seed).padStart(4),
        Object.entries(m.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')].join('  '));
    }
    return EXIT.ok;
  }
  // Dawn writes its warnings from C++ to stderr: run again as a child whose stderr is filtered.
  if (shouldHideDawnNoise(spec.backend, args.debug === true)) return rerunWithoutNativeNoise(io);
  const workers = args.workers ?? defaultWorkers(spec.backend);
  // This process and every worker get the same options: the cores split among the processes
  // unless --threads / BATCHLAB_THREADS chose a count.
  const backendOptions = { ...options, threads: planThreads(availableParallelism(), Math.min(workers, Math.max(1, runs.length)), options.threads) };
  // Worker processes start loading now, while this process loads tfjs and the runner.
  const workerEntry = process.env[WORKER_ENTRY_ENV];
  const launches = Array.from({ length: Math.max(0, Math.min(workers, runs.length) - 1) }, () => launchWorker(spec.backend, backendOptions, workerEntry));
  const { executeSweep } = await import('../../runner/sweep.ts');
  const progress = createSweepProgress(io);
  let outcome;
  try {
    outcome = await executeSweep({ spec, runs, plannedIds: all.map((r) => r.runId), outDir, outFlag, workers, backendOptions, force: args.force, keepCheckpoints: args.keepCheckpoints, signal, shard, onEvent: progress.onEvent, launches, workerEntry, lockStaleMs: lockStaleMs(process.env) });
  } finally {
    progress.stop();
    await Promise.all(launches.map((l) => l.close())); // no-ops unless the sweep failed before using them
  }
  const counts = new Map<string, number>();
  for (const r of outcome.records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  io.out(`sweep ${spec.name}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing run'}` +
    ` (${outcome.skipped} skipped as already done); summary: ${resultsPaths(outDir).summaryCsv}`);
  if (outcome.aborted) {
    io.err('interrupted: rerun the same command to continue');
    return EXIT.interrupted;
  }
  return outcome.failed > 0 ? EXIT.failure : EXIT.ok;
}
