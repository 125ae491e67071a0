/** The plan of a single `batchlab run`: a grid of one cell, no scaling. */
import type { Spec } from '../config/schema.ts';
import type { PlannedRun } from '../runner/execute-run.ts';
import { planSweep } from '../runner/plan-sweep.ts';

export function planSingleRun(spec: Spec): PlannedRun {
  const { sweep: _sweep, ...single } = spec;
  return planSweep(single)[0];
}
