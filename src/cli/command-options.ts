/**
 * The commands' arguments and their yargs options. Kept apart from the command modules, which
 * main.ts imports only when their command runs: parsing argv then loads yargs and this file,
 * not tfjs or the report renderers.
 */
import type { Argv } from 'yargs';
import { COMPARE_FORMATS, type CompareFormat } from '../report/compare/compare.ts';
import { backendOptionsFromEnv, type BackendOptions } from '../backend/options.ts';
import { parseThreads } from '../backend/threads.ts';
import { UsageError } from '../errors.ts';
import { REQUIRED_ARGUMENTS } from './missing-arguments.ts';

export interface RunArgs {
  spec: string;
  set: string[];
  backend?: string;
  out?: string;
  threads?: number;
  keepCheckpoints: boolean;
  /** The global --debug: also show third-party native warnings (Dawn's). */
  debug?: boolean;
}

/** The spec file and what overrides it, shared by run and sweep. */
function specOptions<T>(y: Argv<T>, specIs: string) {
  return y
    .positional('spec', { type: 'string', demandOption: true, describe: specIs })
    .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a key: path=value (YAML value), repeatable' })
    .option('backend', { type: 'string', describe: 'auto | tensorflow | webgpu | native | wasm | cpu (overrides the spec)' })
    .option('out', { type: 'string', describe: 'output directory (default results/<name>)' })
    .option('threads', { type: 'number', describe: 'native backend threads per process (or env BATCHLAB_THREADS; default: cores, split among sweep workers)' })
    .option('keep-checkpoints', { type: 'boolean', default: false, describe: "keep each finished run's last checkpoint (runs/<id>/checkpoint.bin; removed by default)" });
}

export function runOptions<T>(y: Argv<T>) {
  return specOptions(y, REQUIRED_ARGUMENTS.run.positional.what);
}

/** The spec options (RunArgs) and the sweep's own. */
export interface SweepArgs extends RunArgs {
  workers?: number;
  shard?: string;
  shardCount?: number;
  force: boolean;
  dryRun: boolean;
  keepCheckpoints: boolean;
}

export function sweepOptions<T>(y: Argv<T>) {
  return specOptions(y, REQUIRED_ARGUMENTS.sweep.positional.what)
    .option('workers', { type: 'number', describe: 'runs in parallel: this process plus N-1 worker processes (default: cores on CPU backends, 1 on a GPU)' })
    .option('shard', { type: 'string', nargs: 1, describe: "run shard i/n of the grid (0-based), e.g. 0/4; read from Slurm/Kubernetes env when absent" })
    .option('shard-count', { type: 'number', describe: 'shard count for Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX); or env BATCHLAB_SHARD_COUNT' })
    .option('force', { type: 'boolean', default: false, describe: 'rerun runs that already finished' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the planned runs and their derived LRs; train nothing' });
}

export interface CompareArgs {
  inputs: string[];
  metric: string;
  by?: string;
  format: CompareFormat;
  failOnRegression?: number;
}

export function compareOptions<T>(y: Argv<T>) {
  return y
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: REQUIRED_ARGUMENTS.compare.positional.what })
    .option('metric', { type: 'string', default: 'final_test_acc', describe: 'summary column to aggregate over seeds' })
    .option('by', { type: 'string', describe: 'grouping columns, comma separated; first = table rows (default batch_size,scaling_rule plus base_lr and axis columns that vary)' })
    .option('format', { choices: COMPARE_FORMATS, default: 'table' as CompareFormat })
    .option('fail-on-regression', { type: 'number', describe: 'exit 1 when a cell got worse than the first input by more than this' });
}

export interface MergeArgs { dirs: string[]; out: string }

export function mergeOptions<T>(y: Argv<T>) {
  return y
    .positional('dirs', { type: 'string', array: true, demandOption: true, describe: REQUIRED_ARGUMENTS.merge.positional.what })
    .option('out', { type: 'string', demandOption: true, describe: REQUIRED_ARGUMENTS.merge.options.out });
}

export interface ReportArgs { dir: string; out?: string; findings: boolean }

export function reportOptions<T>(y: Argv<T>) {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: REQUIRED_ARGUMENTS.report.positional.what })
    .option('out', { type: 'string', describe: 'HTML file to write (default <dir>/report.html)' })
    .option('findings', { type: 'boolean', default: false, describe: 'also print the three leading findings on the terminal, one line each (all of them are at the top of the report)' });
}

export interface VerifyArgs {
  dirs: string[];
  format: string;
  claim?: string;
  /** 'all' (default): Holm over every test printed; 'spec': within each spec's claims. */
  family?: string;
  /** Plan: estimate each claim's MDE from saved runs against the seeds this spec plans. */
  plan?: string;
}

export function verifyOptions<T>(y: Argv<T>) {
  return y
    .positional('dirs', { type: 'string', array: true, demandOption: true, describe: REQUIRED_ARGUMENTS.verify.positional.what })
    .option('format', { type: 'string', default: 'table', describe: 'table | json | md (md: the claims table from each dir\'s saved verdicts.json; evaluates and writes nothing)' })
    .option('claim', { type: 'string', describe: 'YAML/JSON file with a claim block (or a spec with claim:), used instead of sweep.json\'s' })
    .option('plan', { type: 'string', describe: 'a spec: estimate each of its claims\' MDE from the saved runs in <dirs> at the seeds it plans; refuse (exit 2) when one cannot be decided; writes nothing' })
    .option('family', { type: 'string', default: 'all', describe: 'all | spec: the family Holm adjusts p over (every test printed, or each spec\'s claims)' });
}

/** --backend as one more --set override (the spec's backend key). */
export function backendSets(args: { set: string[]; backend?: string }): string[] {
  return args.backend ? [...args.set, `backend=${args.backend}`] : args.set;
}

/**
 * The run's BackendOptions, parsed once: the environment's defaults (backend/options.ts:
 * BATCHLAB_THREADS, BATCHLAB_NATIVE_GEMM, BATCHLAB_NATIVE_SGD, BATCHLAB_WEBGPU), then --threads
 * over BATCHLAB_THREADS. Throws UsageError naming the flag or variable.
 */
export function backendOptionsOf(threadsFlag: number | undefined, env: NodeJS.ProcessEnv = process.env): BackendOptions {
  if (threadsFlag === undefined) return backendOptionsFromEnv(env);
  const threads = parseThreads(threadsFlag);
  if (typeof threads === 'string') throw new UsageError('invalid option', [{ path: '--threads', message: threads }]);
  return { ...backendOptionsFromEnv({ ...env, BATCHLAB_THREADS: undefined }), threads };
}
