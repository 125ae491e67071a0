/**
 * Which data choose a tuned hyperparameter (`test.tune`, e.g. the LR per batch size). The test
 * split only scores: the choice is made on the validation split (the metric's validation
 * counterpart), and a verdict whose choice would have to look at the test split is INCONCLUSIVE
 * whatever its interval says.
 */
import { metricLabel, selectionMetric } from './metric.ts';
import type { Decision } from './decide.ts';
import type { Claim, ClaimRun, MetricSpec } from './types.ts';

export interface TuningPlan {
  /** The metric the tuned value is chosen by. */
  select: MetricSpec;
  /** 'validation': on the validation split; 'metric': by the metric itself, which reads no test data; 'test': on the test split. */
  on: 'validation' | 'metric' | 'test';
  /** Examples in the validation split (each distinct size the runs report), when on validation. */
  validationSizes: number[];
  /** Why the choice looks at the test split; set only when on 'test'. */
  problem?: string;
  /** Clause for the sentence: how the tuned value was chosen. */
  text: string;
}

/**
 * How `tune` is chosen for a claim over `runs` (the runs after `where`). Pure. `scored`: whether the
 * claim then reads the metric at the chosen value (false when the statistic is the chosen value
 * itself, e.g. the slope of the best LR, which reads no test data once chosen on validation).
 */
export function planTuning(claim: Claim, tune: string, tuneOn: 'validation' | 'test', runs: readonly ClaimRun[], scored = true): TuningPlan {
  const metric = claim.metric;
  const sel = selectionMetric(metric);
  const onTest = (problem: string): TuningPlan => ({
    select: metric, on: 'test', validationSizes: [], problem,
    text: `the ${tune} is chosen by mean ${metricLabel(metric)} on the test split${scored ? ' it is scored on' : ''}`,
  });
  if (!sel.readsTest) {
    return { select: metric, on: 'metric', validationSizes: [], text: `the ${tune} is chosen by mean ${metricLabel(metric)} (no test data read)` };
  }
  if (tuneOn === 'test') return onTest('tuneOn: test chooses on the scored data');
  if (!sel.spec) return onTest(`${metricLabel(metric)} has no validation counterpart to choose the ${tune} by`);
  const sizes = runs.map((r) => Number(r.values.val_size ?? ''));
  if (!sizes.length || sizes.some((v) => !(v > 0))) {
    return onTest('these runs have no validation split (data.validationSize), so it could only be chosen on the test split');
  }
  const distinct = [...new Set(sizes)].sort((a, b) => a - b);
  return {
    select: sel.spec, on: 'validation', validationSizes: distinct,
    text: `the ${tune} is chosen by mean ${metricLabel(sel.spec)} on the validation split (${distinct.join(' or ')} examples held out of the train split)${scored ? ', then scored on test' : '; no test data read'}`,
  };
}

/** A choice made on the test split decides nothing: INCONCLUSIVE, with the interval kept in the clause. */
export function applyTuningGate(d: Decision, plan: TuningPlan | undefined): Decision {
  if (!plan?.problem) return d;
  return { verdict: 'INCONCLUSIVE', clause: `a verdict needs the tuned value chosen off the test split: ${plan.problem} (the interval is ${d.clause})` };
}
