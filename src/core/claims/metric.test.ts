import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, metricGoal, metricIsFraction, metricLabel, metricValue, selectionMetric } from './metric.ts';
import { runValue } from './select.ts';
import type { ClaimRun, MetricSpec } from './types.ts';

const curve = [
  { step: 0, examples_seen: 0, test_acc: NaN, test_loss: NaN, grad_var: 4 },
  { step: 10, examples_seen: 640, test_acc: 0.8, test_loss: 0.9, grad_var: 2 },
  { step: 20, examples_seen: 1280, test_acc: 0.92, test_loss: 0.4, grad_var: NaN },
  { step: 30, examples_seen: 1920, test_acc: 0.95, test_loss: 0.2, grad_var: 1 },
];
const run: ClaimRun = {
  values: { status: 'completed', final_test_acc: '0.9', best_test_acc: '0.95', final_train_acc: '0.97', wall_s: '12', epochs: '3', final_test_loss: '0.3' },
  curve,
};

describe('metricValue', () => {
  it.each<[MetricSpec, number]>([
    [{ name: 'final_test_acc' }, 0.9],
    [{ name: 'final_test_error' }, 1 - 0.9],
    [{ name: 'best_test_error' }, 1 - 0.95],
    [{ name: 'final_train_error' }, 1 - 0.97],
    [{ name: 'epoch_time_s' }, 4],
    [{ name: 'steps_to_target', target: 0.9 }, 20],
    [{ name: 'steps_to_target', column: 'test_acc', target: 0.95 }, 30],
    [{ name: 'examples_to_target', target: 0.9 }, 1280],
    [{ name: 'steps_to_target', column: 'test_loss', target: 0.5 }, 20], // a loss is reached from above
    [{ name: 'steps_to_target', column: 'test_loss', target: 0.5, reach: 'above' }, 10],
    [{ name: 'steps_to_target', target: 0.99 }, Infinity],
    [{ name: 'curve', column: 'grad_var' }, 1],
    [{ name: 'curve', column: 'grad_var', reduce: 'mean' }, 7 / 3],
    [{ name: 'curve', column: 'grad_var', reduce: 'max' }, 4],
    [{ name: 'curve', column: 'grad_var', reduce: 'min' }, 1],
    [{ name: 'curve', column: 'no_such' }, NaN],
    [{ name: 'gen_gap_loss' }, NaN], // absent column
  ])('%j', (spec, value) => {
    const got = metricValue(run, spec);
    if (Number.isFinite(value)) expect(got).toBeCloseTo(value, 12);
    else expect(got).toBe(value);
  });

  it('labels, goals and fractions', () => {
    expect(metricLabel({ name: 'steps_to_target', target: 0.97 })).toBe('steps_to_target(test_acc >= 0.97)');
    expect(metricLabel({ name: 'curve', column: 'grad_var' })).toBe('curve(grad_var, last)');
    expect(metricGoal({ name: 'final_test_acc' })).toBe('max');
    expect(metricGoal({ name: 'final_test_error' })).toBe('min');
    expect(metricGoal({ name: 'final_test_acc', goal: 'min' })).toBe('min');
    expect(metricIsFraction({ name: 'final_test_error' })).toBe(true);
    expect(metricIsFraction({ name: 'final_test_loss' })).toBe(false);
    expect(METRIC_NAMES).toContain('steps_to_target');
  });
});

describe('runValue: the status rule', () => {
  const r = (status: string, acc: string): ClaimRun => ({ values: { status, final_test_acc: acc } });
  it.each<[string, string, MetricSpec, number | string]>([
    ['completed', '0.9', { name: 'final_test_acc' }, 0.9],
    ['completed', '', { name: 'final_test_acc' }, 'missing'],
    ['diverged', '0.5', { name: 'final_test_acc' }, 0.5],
    ['diverged', 'NaN', { name: 'final_test_acc' }, 'diverged'],
    ['diverged', 'NaN', { name: 'final_test_acc', diverged: 0.1 }, 0.1],
    ['failed', '0.9', { name: 'final_test_acc' }, 'missing'],
    ['aborted', '0.9', { name: 'final_test_acc', diverged: 0.1 }, 'missing'],
  ])('%s with %s', (status, acc, spec, value) => {
    expect(runValue(r(status, acc), spec)).toBe(value);
  });
  it('keeps a completed run that never reached its target as Infinity', () => {
    expect(runValue({ values: { status: 'completed' }, curve }, { name: 'steps_to_target', target: 0.99 })).toBe(Infinity);
  });
});

describe('selectionMetric: what a tuned value is chosen by', () => {
  it.each<[MetricSpec, MetricSpec | null, boolean]>([
    [{ name: 'final_test_acc' }, { name: 'final_val_acc' }, true],
    [{ name: 'final_test_error' }, { name: 'final_val_error' }, true],
    [{ name: 'final_test_loss' }, { name: 'final_val_loss' }, true],
    [{ name: 'best_test_acc' }, { name: 'best_val_acc' }, true],
    [{ name: 'steps_to_target', target: 0.9 }, { name: 'steps_to_target', target: 0.9, column: 'val_acc' }, true],
    [{ name: 'steps_to_target', column: 'test_loss', target: 0.3 }, { name: 'steps_to_target', column: 'val_loss', target: 0.3 }, true],
    [{ name: 'curve', column: 'test_acc', reduce: 'max' }, { name: 'curve', column: 'val_acc', reduce: 'max' }, true],
    [{ name: 'gen_gap_loss' }, null, true],
    [{ name: 'curve', column: 'test_foo' }, null, true],
    [{ name: 'final_train_loss' }, { name: 'final_train_loss' }, false],
    [{ name: 'steps_to_target', column: 'train_loss', target: 0.3 }, { name: 'steps_to_target', column: 'train_loss', target: 0.3 }, false],
  ])('%j -> %j', (spec, want, readsTest) => {
    expect(selectionMetric(spec)).toEqual({ spec: want, readsTest });
  });

  it('the validation metrics read their own columns; epoch_train_s is train_s / epochs', () => {
    const r = { values: { final_val_acc: '0.8', best_val_acc: '0.85', final_val_loss: '0.5', train_s: '12', epochs: '4', wall_s: '20' } };
    expect(metricValue(r, { name: 'final_val_error' })).toBeCloseTo(0.2, 12);
    expect(metricValue(r, { name: 'best_val_error' })).toBeCloseTo(0.15, 12);
    expect(metricValue(r, { name: 'epoch_train_s' })).toBe(3);
    expect(metricValue(r, { name: 'epoch_time_s' })).toBe(5);
  });
});
