/**
 * Sweep progress: on a TTY an overall bar (runs done/total, elapsed, ETA) and a line per active
 * run (step, loss); otherwise plain log lines, at most one per run every few seconds.
 */
import cliProgress from 'cli-progress';
import type { SweepEvent } from '../runner/sweep.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import type { Output } from './output.ts';

const label = (r: PlannedRun<RunConfig>) => {
  const axes = Object.entries(r.meta.axes).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('');
  return `B=${r.meta.batchSize} lr=${r.meta.lr.toPrecision(3)} ${r.meta.scalingRule} seed=${r.meta.seed}${axes}`;
};

export function createSweepProgress(io: Output): { onEvent: (e: SweepEvent) => void; stop: () => void } {
  return io.isTty ? ttyProgress() : plainProgress(io);
}

function plainProgress(io: Output) {
  const labels = new Map<string, string>();
  const lastPrint = new Map<string, number>();
  return {
    onEvent(e: SweepEvent) {
      if (e.type === 'start') {
        io.out(`sweep: ${e.total} runs, ${e.total - e.toRun} already done, ${e.toRun} to run on ${e.workers} worker(s) (${e.why})`);
      } else if (e.type === 'run-start') {
        labels.set(e.run.runId, label(e.run));
      } else if (e.type === 'progress') {
        const now = Date.now();
        if (now - (lastPrint.get(e.runId) ?? 0) < 5000) return;
        lastPrint.set(e.runId, now);
        io.out(`  ${e.runId} ${labels.get(e.runId) ?? ''}: step ${e.progress.step} epoch ${e.progress.epoch.toFixed(2)} loss ${e.progress.loss?.toFixed(4) ?? '-'}`);
      } else if (e.type === 'warning') {
        io.err(`warning: ${e.message}`);
      } else if (e.type === 'run-end') {
        const r = e.record;
        const acc = r.final.test_acc === null ? '' : ` test_acc=${r.final.test_acc.toFixed(4)}`;
        io.out(`[${e.done}/${e.total}] ${r.run_id} ${labels.get(r.run_id) ?? ''}: ${r.status}${acc} test_loss=${r.final.test_loss?.toFixed(4) ?? '-'} (${r.timings.wall_s.toFixed(1)} s)${r.error ? ` error: ${r.error}` : ''}`);
      }
    },
    stop() {},
  };
}

function ttyProgress() {
  const multi = new cliProgress.MultiBar({
    // stderr, unless batchlab runs itself with stderr piped through its noise filter (native-noise.ts)
    // and only stdout is the terminal.
    stream: process.stderr.isTTY || !process.stdout.isTTY ? process.stderr : process.stdout,
    format: '{bar} {value}/{total} {label}',
    hideCursor: true, clearOnComplete: false, stopOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  let overall: cliProgress.SingleBar | null = null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const labels = new Map<string, string>();
  const started = Date.now();
  let firstDone = 0;
  const overallLabel = (done: number, total: number) => {
    const elapsed = (Date.now() - started) / 1000;
    const ran = done - firstDone;
    const eta = ran > 0 ? ((total - done) * elapsed) / ran : NaN;
    return `runs | elapsed ${elapsed.toFixed(0)} s | ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '-'}`;
  };
  return {
    onEvent(e: SweepEvent) {
      if (e.type === 'start') {
        firstDone = e.total - e.toRun;
        overall = multi.create(e.total, firstDone, { label: overallLabel(firstDone, e.total) });
      } else if (e.type === 'run-start') {
        labels.set(e.run.runId, label(e.run));
        bars.set(e.run.runId, multi.create(100, 0, { label: `${e.run.runId} ${label(e.run)}` }));
      } else if (e.type === 'progress') {
        const p = e.progress;
        bars.get(e.runId)?.update(Math.round(p.progress * 100), {
          label: `${e.runId} ${labels.get(e.runId)} step ${p.step} loss ${p.loss?.toFixed(4) ?? '-'}`,
        });
      } else if (e.type === 'warning') {
        multi.log(`warning: ${e.message}\n`);
      } else if (e.type === 'run-end') {
        const bar = bars.get(e.record.run_id);
        if (bar) multi.remove(bar);
        bars.delete(e.record.run_id);
        overall?.update(e.done, { label: overallLabel(e.done, e.total) });
      }
    },
    stop: () => multi.stop(),
  };
}
