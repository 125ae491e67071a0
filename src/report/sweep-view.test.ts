/**
 * Panels of a sweep with arms: an arm that only chooses which batch sizes and seeds run splits no
 * configuration, so each norm is one panel over every batch size; an arm that changes the model
 * or the training keeps its own panel.
 */
import { describe, expect, it } from 'vitest';
import type { ResultsData, RunResult, RunSummary } from '../results/read-results.ts';
import { gridOnlyArms, panelOf, viewSweep } from './sweep-view.ts';

function run(batchSize: number, seed: number, axes: Record<string, string>): RunResult {
  const summary = {
    line: 0, runId: `b${batchSize}s${seed}${Object.values(axes).join('')}`, status: 'completed', batchSize, seed, baseLr: 0.1, lr: 0.1 * batchSize / 32,
    scalingRule: 'linear', finalTestAcc: 0.8, finalTestLoss: 0.5, valSize: 0, axes,
  } as unknown as RunSummary;
  return { summary, curve: [] };
}

function sweep(arms: unknown[]): ResultsData {
  const runs: RunResult[] = [];
  for (const norm of ['batch', 'group']) {
    for (const b of [2, 32]) for (const seed of [1, 2, 3]) runs.push(run(b, seed, { arm: 'ends', 'model.norm': norm }));
    for (const b of [4, 8]) for (const seed of [1, 2]) runs.push(run(b, seed, { arm: 'middle', 'model.norm': norm }));
  }
  return { dir: 'x', sweep: { name: 'x', spec: { sweep: { arms } }, environment: {}, axes: ['arm', 'model.norm'] }, runs };
}

describe('panels of a sweep with arms', () => {
  it('draw each norm as one panel over all batch sizes when the arms only choose cells and seeds', () => {
    const view = viewSweep(sweep([{ name: 'ends', set: {}, axes: {} }, { name: 'middle', set: { 'sweep.batchSize': [4, 8], 'sweep.seeds': [1, 2] }, axes: {} }]));
    expect(view.panels).toEqual(['linear · model.norm=batch', 'linear · model.norm=group']);
    expect(view.panelLeftOut).toEqual(['arm']);
    for (const panel of view.panels) {
      expect(view.groups.filter((g) => g.panel === panel).map((g) => [g.batchSize, g.runs.length])).toEqual([[2, 3], [4, 2], [8, 2], [32, 3]]);
      expect(view.best.filter((g) => g.panel === panel).map((g) => g.batchSize)).toEqual([2, 4, 8, 32]);
    }
  });

  it('keep the arm in the panel when an arm changes anything but the cells and seeds', () => {
    for (const middle of [
      { name: 'middle', set: { 'sweep.batchSize': [4, 8], 'train.epochs': 2 }, axes: {} },
      { name: 'middle', set: { 'sweep.referenceBatchSize': 8 }, axes: {} },
      { name: 'middle', set: {}, axes: { 'model.ghostBatchSize': [2, 4] } },
    ]) {
      const view = viewSweep(sweep([{ name: 'ends', set: {}, axes: {} }, middle]));
      expect(view.panelLeftOut).toEqual([]);
      expect(view.panels).toHaveLength(4);
    }
  });

  it('read a spec without arms, or not a spec at all, as having none to merge', () => {
    expect(gridOnlyArms({})).toBe(false);
    expect(gridOnlyArms(undefined)).toBe(false);
    expect(gridOnlyArms({ sweep: { arms: [] } })).toBe(false);
    expect(panelOf(run(2, 1, { arm: 'ends', 'model.norm': 'batch' }).summary, ['arm'])).toBe('linear · model.norm=batch');
    expect(panelOf(run(2, 1, { arm: 'ends', 'model.norm': '' }).summary)).toBe('linear · arm=ends');
  });
});
