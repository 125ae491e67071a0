/**
 * `batchlab run <spec>`: trains one configuration and writes <out>/runs/<run_id>/, holding the
 * output folder's lock (results/folder-lock.ts) while it does.
 */
import { initBackend, describeEnvironment } from '../../backend/index.ts';
import { readSpec } from '../../config/read-spec.ts';
import type { RunConfig, Spec } from '../../config/schema.ts';
import type { PlannedRun } from '../../core/grid.ts';
import { DatasetCache } from '../../runner/dataset-cache.ts';
import { executeRun } from '../../runner/execute-run.ts';
import { planSingleRun } from '../../runner/plan.ts';
import { preflight } from '../../runner/preflight.ts';
import type { BackendOptions } from '../../backend/options.ts';
import { backendOptionsOf, backendSets, type RunArgs } from '../command-options.ts';
import type { Output } from '../output.ts';
import { rerunWithoutNativeNoise, shouldHideDawnNoise } from '../native-noise.ts';
import { errorFromData, EXIT, RefusedWriteError } from '../../errors.ts';
import { lockStaleMs, withFolderLock } from '../../results/folder-lock.ts';
import { defaultResultsDir, runDirOf } from '../../results/layout.ts';

export async function runCommand(args: RunArgs, io: Output, signal: AbortSignal): Promise<number> {
  const spec = await readSpec(args.spec, backendSets(args));
  const backendOptions = backendOptionsOf(args.threads);
  const planned = planSingleRun(spec);
  if (spec.sweep) io.err("note: run trains the base configuration only; the spec's sweep: section needs `batchlab sweep`");
  const outDir = args.out ?? defaultResultsDir(spec.name);
  const { sweep: _sweep, ...single } = spec;
  const outFlag = args.out !== undefined ? '--out' : 'name';
  await preflight(single, [planned], { dir: outDir, flag: outFlag });
  // Dawn writes its warnings from C++ to stderr: run again as a child whose stderr is filtered.
  if (shouldHideDawnNoise(spec.backend, args.debug === true)) return rerunWithoutNativeNoise(io);
  return withFolderLock(outDir, {
    flag: outFlag,
    command: `run ${spec.name}`,
    staleMs: lockStaleMs(process.env),
    onLost: (err) => io.err(`warning: the lock on ${outDir} was lost (${err.message}); another process may now write there`),
  }, () => runLocked(args, io, signal, { spec, planned, outDir, backendOptions }));
}

async function runLocked(
  args: RunArgs, io: Output, signal: AbortSignal,
  p: { spec: Spec; planned: PlannedRun<RunConfig>; outDir: string; backendOptions: BackendOptions },
): Promise<number> {
  const { spec, planned, outDir } = p;
  const active = await initBackend(spec.backend, p.backendOptions);
  io.err(`backend: ${active.name} (${active.device}) - ${active.why}`);
  const runDir = runDirOf(outDir, planned.runId);
  const datasets = new DatasetCache();
  let lastPrint = 0;
  const record = await executeRun(planned, runDir, {
    datasets,
    environment: describeEnvironment(active),
    signal,
    keepCheckpoints: args.keepCheckpoints,
    onProgress: (_id, p) => {
      const t = Date.now();
      if (t - lastPrint < 1000 && p.progress < 1) return;
      lastPrint = t;
      io.err(`step ${p.step} epoch ${p.epoch.toFixed(2)} loss ${p.loss?.toFixed(4) ?? '-'} (${Math.round(p.progress * 100)}%)`);
    },
  });
  await datasets.dispose();
  // A write the disk refused is not a result: it stops the command (exit 1, the folder named).
  const failure = record.failure && errorFromData(record.failure);
  if (failure instanceof RefusedWriteError) throw failure;
  const f = record.final;
  io.out(`${record.status}: run ${record.run_id} in ${runDir}`);
  io.out(`steps ${f.steps}, epochs ${f.epochs.toFixed(2)}, test loss ${f.test_loss?.toFixed(4) ?? '-'}, test acc ${f.test_acc?.toFixed(4) ?? '-'}, ${record.timings.samples_per_s.toFixed(0)} samples/s`);
  if (record.reason) io.out(`note: ${record.reason}`);
  if (record.error) io.err(`error: ${record.error}`);
  if (record.status === 'aborted') return EXIT.interrupted;
  return record.status === 'failed' ? EXIT.failure : EXIT.ok;
}
