/**
 * The custom training loop: per step it asks the batch and LR schedules for B and the LR, gathers
 * the batch on the device, accumulates gradients over `accumulation` micro-batches, applies the
 * optimizer, and emits curve rows to observers. Losses are read back asynchronously in groups, so
 * GPU backends never stall on a per-step host sync.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointEvery, RunConfig } from '../config/schema.ts';
import { planBatchSchedule, planLrSchedule } from '../core/schedule.ts';
import { EpochSampler } from './batches.ts';
import { evaluate } from './evaluate.ts';
import { reducedLoss } from './loss.ts';
import { createOptimizer } from './optimizers.ts';
import { createGradStatsState, gradStatsDue, measureGradStats, snapshotGradStats, type GradStatsRow } from './grad-stats.ts';
import { checkCheckpointFits, readHostTensors, restoreWeights, toTensors, type LoopCheckpoint } from './checkpoint-state.ts';
import type { CurveRow, FinalMetrics, TrainData, TrainObserver, TrainResult } from './types.ts';
import { withPreciseBn } from './precise-bn.ts';

export interface TrainArgs {
  model: tf.LayersModel;
  data: TrainData;
  config: Pick<RunConfig, 'train' | 'optimizer' | 'loss'>;
  observers?: TrainObserver[];
  signal?: AbortSignal;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /**
   * Saves a checkpoint this often (at the first curve row after `every` steps or seconds since the
   * last one, and when aborted between rows). `save` owns the state it is given.
   */
  checkpoint?: { every: Exclude<CheckpointEvery, false>; save(state: LoopCheckpoint): Promise<void> };
  /** A checkpoint of this run (same model shape, data and config) to continue from instead of step 0. */
  resume?: LoopCheckpoint;
}

const EMPTY_GRAD_STATS: Required<GradStatsRow> = {
  grad_norm_sq: null, trace_sigma: null, noise_scale: null, grad_var: null, grad_var_iid: null,
};

type Budget = { kind: 'epochs' | 'steps' | 'examples'; value: number };

function budgetOf(train: RunConfig['train']): Budget {
  if (train.steps !== undefined) return { kind: 'steps', value: train.steps };
  if (train.examples !== undefined) return { kind: 'examples', value: train.examples };
  return { kind: 'epochs', value: train.epochs ?? 1 };
}

/** Trains `model` in place and returns how it ended; a diverged or aborted run is a result, not an error. */
export async function trainModel(args: TrainArgs): Promise<TrainResult> {
  const { model, data, config, observers = [], signal, resume } = args;
  const now = args.now ?? (() => performance.now());
  const { train } = config;
  const n = data.trainX.shape[0];
  if (resume) checkCheckpointFits(resume, model, n); // before anything is built that would need disposing
  const budget = budgetOf(train);
  const lrAt = planLrSchedule(train.schedule, train.lr);
  const batchAt = planBatchSchedule(train.batchSchedule, train.batchSize);
  const microBatches = train.accumulation;
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const optimizer = createOptimizer(config.optimizer, vars);
  const sampler = new EpochSampler(n, train.seed, resume?.sampler);
  const stepsPerEpoch = Math.max(1, Math.floor(n / train.batchSize));
  const gradStats = createGradStatsState({
    seed: train.seed, batchSize: train.batchSize, noiseScale: train.noiseScale, gradVariance: train.gradVariance,
  }, n, undefined, resume?.gradStats);
  const logEvery = train.logEvery > 0 ? train.logEvery : Math.max(1, Math.round(stepsPerEpoch / 20));

  let step = resume?.step ?? 0;
  let examplesSeen = resume?.examplesSeen ?? 0;
  // Time spent evaluating and in observers; training time is the rest of the wall time. Reading
  // the losses back stays in training time: on GPU backends that is where the steps' work is waited for.
  let outsideMs = resume?.outsideMs ?? 0;
  let lrTensor: tf.Scalar | null = null; // the LR as a tensor, re-uploaded only when it changes
  let lrTensorValue = NaN;
  const start = now() - (resume?.wallMs ?? 0);
  let firstLoss: number | null = resume?.firstLoss ?? null;
  let status: TrainResult['status'] = 'completed';
  let reason: string | undefined;
  let pending: tf.Scalar[] = [];
  let pendingSizes: number[] = []; // batch size of each pending step
  let pendingExamples = 0;
  const final: FinalMetrics = resume
    ? { ...resume.final }
    : { train_loss: null, train_acc: null, test_loss: null, test_acc: null, best_test_acc: null };
  const rows: CurveRow[] = resume ? [...resume.rows] : []; // kept only for checkpoints
  let checkpointStep = step;
  let checkpointAt = now();

  const progress = () => {
    const done = budget.kind === 'steps' ? step : budget.kind === 'examples' ? examplesSeen : sampler.epochFloat;
    return Math.min(1, done / budget.value);
  };
  const budgetSpent = () => progress() >= 1;

  /** Mean per-example training loss of the pending steps; flags divergence. */
  const drainLosses = async (): Promise<number | null> => {
    if (pending.length === 0) return null;
    const stacked = tf.stack(pending);
    const values = await stacked.data();
    stacked.dispose();
    pending.forEach((t) => t.dispose());
    pending = [];
    const sizes = pendingSizes;
    pendingSizes = [];
    let sum = 0;
    for (const [i, total] of values.entries()) {
      // Per-example means, so a batch-size schedule does not look like divergence.
      const v = total / sizes[i];
      if (firstLoss === null) firstLoss = v;
      if (!Number.isFinite(v) || (firstLoss > 0 && v > train.divergenceFactor * firstLoss)) {
        status = 'diverged';
        reason = Number.isFinite(v) ? `loss ${v.toPrecision(4)} exceeded ${train.divergenceFactor}x its first value ${firstLoss.toPrecision(4)}` : `loss became ${v}`;
      }
      sum += total;
    }
    const mean = sum / pendingExamples;
    pendingExamples = 0;
    return mean;
  };

  const emit = async (withEval: boolean, lr: number, batchSize: number) => {
    const trainLoss = await drainLosses();
    const emitStart = now();
    // Gradient statistics are measured on the weights this row reports, outside training time.
    const measured = gradStatsDue(gradStats, step) && (status as string) !== 'diverged'
      ? await measureGradStats({ model, data, state: gradStats!, step, batchSize }) : {};
    const row: CurveRow = {
      step, epoch: sampler.epochFloat, examples_seen: examplesSeen, batch_size: batchSize, lr,
      train_loss: trainLoss, train_eval_loss: null, train_eval_acc: null, test_loss: null, test_acc: null,
      wall_ms: 0,
      ...(gradStats ? { ...EMPTY_GRAD_STATS, ...measured } : {}),
    };
    if (withEval && (status as string) !== 'diverged') {
      const tr = await evaluate(model, data.trainEvalX, data.trainEvalY, data.task, train.evalBatchSize);
      const te = await evaluate(model, data.testX, data.testY, data.task, train.evalBatchSize);
      Object.assign(row, { train_eval_loss: tr.loss, train_eval_acc: tr.acc, test_loss: te.loss, test_acc: te.acc });
      Object.assign(final, { train_loss: tr.loss, train_acc: tr.acc, test_loss: te.loss, test_acc: te.acc });
      if (te.acc !== null) final.best_test_acc = Math.max(final.best_test_acc ?? -Infinity, te.acc);
    }
    row.wall_ms = now() - start;
    if (args.checkpoint) rows.push({ ...row });
    for (const o of observers) await o.onRow?.(row);
    for (const o of observers) o.onProgress?.({ step, epoch: row.epoch, examplesSeen, loss: trainLoss, progress: progress() });
    outsideMs += now() - emitStart;
  };

  /** Only between rows (no loss pending), and never for the finished budget: resuming would have nothing to do. */
  const checkpointDue = (): boolean => {
    const every = args.checkpoint?.every;
    if (!every || pending.length > 0 || step <= checkpointStep || budgetSpent() || status !== 'completed') return false;
    return 'steps' in every ? step - checkpointStep >= every.steps : now() - checkpointAt >= every.seconds * 1000;
  };
  const saveCheckpoint = async () => {
    const t0 = now();
    const opt = optimizer.state();
    const [weights, slots] = await Promise.all([
      readHostTensors(model.weights.map((w) => w.read())), readHostTensors(opt.slots),
    ]);
    await args.checkpoint!.save({
      step, examplesSeen, firstLoss, final: { ...final }, wallMs: t0 - start, outsideMs,
      sampler: sampler.snapshot(), weights, optimizer: { t: opt.t, slots }, gradStats: snapshotGradStats(gradStats),
      rows: [...rows],
    });
    checkpointStep = step;
    checkpointAt = now();
    outsideMs += checkpointAt - t0;
  };

  try {
    if (resume) {
      restoreWeights(model, resume.weights);
      const slots = toTensors(resume.optimizer.slots);
      try {
        optimizer.restore(resume.optimizer.t, slots);
      } finally {
        tf.dispose(slots);
      }
    }
    let lr = lrAt({ step, epoch: sampler.epochFloat, progress: progress() });
    lrTensor = tf.scalar(lr);
    lrTensorValue = lr;
    let batchSize = batchAt(sampler.epochFloat);
    if (!resume) await emit(true, lr, batchSize); // a resumed run's rows up to its step are in resume.rows
    while (!budgetSpent() && status === 'completed') {
      if (signal?.aborted) {
        status = 'aborted';
        reason = 'interrupted';
        // Between rows the state is complete: keep it, so the run goes on from here.
        if (args.checkpoint && pending.length === 0 && step > checkpointStep) await saveCheckpoint();
        break;
      }
      batchSize = batchAt(sampler.epochFloat); // epochs end right after their last step, below
      lr = lrAt({ step, epoch: sampler.epochFloat, progress: progress() });
      if (lrTensorValue !== lr) {
        // Uploaded only when the schedule changes it, not every step.
        lrTensor?.dispose();
        lrTensor = tf.scalar(lr);
        lrTensorValue = lr;
      }
      pending.push(runStep(args, vars, optimizer, sampler, batchSize, microBatches, lrTensor!));
      pendingSizes.push(batchSize);
      pendingExamples += batchSize;
      step += 1;
      examplesSeen += batchSize;
      const endOfEpoch = sampler.exhausted(batchAt(sampler.epochFloat));
      // The last step of the budget gets the closing evaluation in its own row.
      const evalNow = (train.evalEvery > 0 && step % train.evalEvery === 0) || budgetSpent();
      if (endOfEpoch) {
        sampler.endEpoch();
        await emit(true, lr, batchSize);
      } else if (evalNow || step % logEvery === 0 || pending.length >= 64 || gradStatsDue(gradStats, step)) {
        await emit(evalNow, lr, batchSize);
      }
      if (checkpointDue()) await saveCheckpoint();
    }
    // An abort can leave steps without a row: close with an evaluated one. Otherwise the last
    // row already covers this step, and a second row for it would duplicate the step in the curve.
    if (pending.length > 0) await emit(true, lr, batchSize);
  } finally {
    lrTensor?.dispose();
    pending.forEach((t) => t.dispose());
    optimizer.dispose();
    sampler.dispose();
  }
  if ((status as TrainResult['status']) === 'diverged') {
    // The last evaluation predates the blow-up; reporting it as final would make a diverged run
    // look like an early-stopped one. best_test_acc keeps what the run did reach.
    Object.assign(final, { train_loss: null, train_acc: null, test_loss: null, test_acc: null });
  }
  if (status === 'completed' && train.preciseBn) {
    const evalStart = now();
    Object.assign(final, await evaluatePreciseBn(model, data, train.preciseBn.examples, train.evalBatchSize, train.seed));
    outsideMs += now() - evalStart;
  }
  const wallMs = now() - start;
  return { status, reason, steps: step, epochs: sampler.epochFloat, examplesSeen, final, trainMs: wallMs - outsideMs, wallMs };
}

/**
 * One optimizer update over `batchSize` examples split into `microBatches` micro-batches. Returns the summed
 * per-example loss of the batch as a kept scalar (the caller disposes it).
 */
function runStep(
  { model, data, config }: TrainArgs, vars: tf.Variable[], optimizer: ReturnType<typeof createOptimizer>,
  sampler: EpochSampler, batchSize: number, microBatches: number, lr: tf.Scalar,
): tf.Scalar {
  const micro = batchSize / microBatches;
  const reduction = config.loss.reduction;
  return tf.tidy(() => {
    let grads: tf.Tensor[] | null = null;
    let lossSum: tf.Tensor = tf.scalar(0);
    for (let i = 0; i < microBatches; i++) {
      const idx = sampler.next(micro);
      const x = tf.gather(data.trainX, idx);
      const y = tf.gather(data.trainY, idx);
      const { value, grads: g } = tf.variableGrads(
        () => reducedLoss(data.task, reduction, model.apply(x, { training: true }) as tf.Tensor, y), vars);
      const list = vars.map((v) => g[v.name]);
      grads = grads === null ? list : grads.map((a, j) => tf.add(a, list[j]));
      lossSum = tf.add(lossSum, reduction === 'mean' ? tf.mul(value, micro) : value);
    }
    // Mean reduction averages the micro-batch means; sum reduction keeps the sum over all examples.
    const finalGrads = reduction === 'mean' && microBatches > 1 ? grads!.map((g) => tf.div(g, microBatches)) : grads!;
    optimizer.apply(finalGrads, lr);
    return lossSum as tf.Scalar;
  });
}

/** Train-subset and test metrics with BatchNorm population statistics (train.preciseBn). */
async function evaluatePreciseBn(
  model: tf.LayersModel, data: TrainData, examples: number, chunk: number, seed: number,
): Promise<Partial<FinalMetrics>> {
  return withPreciseBn(model, data.trainX, examples, chunk, seed, async () => {
    const tr = await evaluate(model, data.trainEvalX, data.trainEvalY, data.task, chunk);
    const te = await evaluate(model, data.testX, data.testY, data.task, chunk);
    return { precise_bn_train_acc: tr.acc, precise_bn_test_loss: te.loss, precise_bn_test_acc: te.acc };
  });
}
