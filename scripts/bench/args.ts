/** Flags of `npm run bench`; strings are parsed here and nowhere else. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchBackend } from './setup.ts';

export const SECTIONS = ['throughput', 'overhead', 'memory', 'sweep', 'profile', 'soak', 'webgpu', 'wholerun', 'optimizer'] as const;
export type Section = (typeof SECTIONS)[number];
export type ThroughputModel = 'mlp' | 'cnn';

export interface BenchArgs {
  quick: boolean;
  models: ThroughputModel[];
  backends: BenchBackend[];
  /** Thread counts the native backend's throughput cells run at. */
  nativeThreads: number[];
  batches: number[];
  sections: Section[];
  /** Timed seconds per method and cell, over all rounds. */
  seconds: number;
  /** Alternating timed rounds per cell; the best round is reported. */
  rounds: number;
  /** The cpu backend trains the CNN at ~10 samples/s: its cells get this budget and batch cap. */
  cpuCnnSeconds: number;
  cpuCnnMaxBatch: number;
  memorySteps: number;
  /** Runs of the soak sweep (scripts/bench/soak.ts), sampled every tenth of them. */
  soakRuns: number;
  torch: boolean;
  torchThreads: number;
  out: string;
}

export const USAGE = `npm run bench -- [flags]
  --quick                 short run: 0.6 s cells in 2 rounds, 300 memory steps, cpu CNN at batch 16 only
  --models mlp,cnn        throughput models (default both)
  --backends cpu,wasm,native  backends (default all three; native is dropped with a note when its addon is not built)
  --native-threads 1,2    native backend thread counts for the throughput cells (default 1,2)
  --batches 16,64,256,1024
  --sections ${SECTIONS.join(',')}
  --seconds 3             timed seconds per method and cell, after warm-up
  --rounds 3              alternating loop/fit rounds per cell (best round reported)
  --cpu-cnn-seconds 4     timed seconds per cpu CNN cell
  --cpu-cnn-max-batch 64  cpu CNN cells above this batch are skipped
  --memory-steps 1000     steps of the memory check
  --soak-runs 500         runs of the soak sweep (memory sampled every tenth); --quick: 100
  --no-soak               skip the soak (same as leaving soak out of --sections)
  --no-torch              skip the PyTorch peer
  --torch-threads N       torch.set_num_threads (default: cores, ${availableParallelism()})
  --out results/bench     CSV folder`;

export class ArgsError extends Error {}

function list<T extends string>(raw: string, allowed: readonly T[], flag: string): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) if (!allowed.includes(it as T)) throw new ArgsError(`${flag}: expected ${allowed.join(' | ')}, got '${it}'`);
  return items as T[];
}

function positive(raw: string, flag: string, integer = false): number {
  const n = Number(raw);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new ArgsError(`${flag}: expected a positive ${integer ? 'integer' : 'number'}, got '${raw}'`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      models: { type: 'string' },
      backends: { type: 'string' },
      'native-threads': { type: 'string' },
      batches: { type: 'string' },
      sections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'cpu-cnn-seconds': { type: 'string' },
      'cpu-cnn-max-batch': { type: 'string' },
      'memory-steps': { type: 'string' },
      'soak-runs': { type: 'string' },
      'no-soak': { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      'torch-threads': { type: 'string' },
      out: { type: 'string', default: 'results/bench' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new ArgsError('');
  const quick = values.quick!;
  return {
    quick,
    models: values.models ? list(values.models, ['mlp', 'cnn'] as const, '--models') : ['mlp', 'cnn'],
    backends: values.backends ? list(values.backends, ['cpu', 'wasm', 'native'] as const, '--backends') : ['cpu', 'wasm', 'native'],
    nativeThreads: values['native-threads'] ? values['native-threads'].split(',').map((t) => positive(t, '--native-threads', true)) : [1, 2],
    batches: values.batches ? values.batches.split(',').map((b) => positive(b, '--batches', true)) : [16, 64, 256, 1024],
    sections: (values.sections ? list(values.sections, SECTIONS, '--sections') : [...SECTIONS]).filter((s) => !(values['no-soak'] && s === 'soak')),
    seconds: values.seconds ? positive(values.seconds, '--seconds') : quick ? 0.6 : 3,
    rounds: values.rounds ? positive(values.rounds, '--rounds', true) : quick ? 2 : 3,
    cpuCnnSeconds: values['cpu-cnn-seconds'] ? positive(values['cpu-cnn-seconds'], '--cpu-cnn-seconds') : quick ? 1 : 4,
    cpuCnnMaxBatch: values['cpu-cnn-max-batch'] ? positive(values['cpu-cnn-max-batch'], '--cpu-cnn-max-batch', true) : quick ? 16 : 64,
    memorySteps: values['memory-steps'] ? positive(values['memory-steps'], '--memory-steps', true) : quick ? 300 : 1000,
    soakRuns: values['soak-runs'] ? positive(values['soak-runs'], '--soak-runs', true) : quick ? 100 : 500,
    torch: !values['no-torch'],
    torchThreads: values['torch-threads'] ? positive(values['torch-threads'], '--torch-threads', true) : availableParallelism(),
    out: values.out!,
  };
}
