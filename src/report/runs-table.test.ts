/**
 * The runs table: its HTML (sort buttons, sort keys, filter attributes and controls) and the
 * sorting and filtering functions its inline script runs, evaluated from the very text the page
 * inlines. Pure.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult, RunSummary } from '../results/read-results.ts';
import { RUNS_TABLE_LOGIC, RUNS_TABLE_SCRIPT, renderRunsTable } from './runs-table.ts';

type Logic = {
  compareKeys: (a: string, b: string, type: 'num' | 'text') => number;
  sortOrder: (keys: string[], type: 'num' | 'text', dir: 'asc' | 'desc') => number[];
  rowMatches: (row: { text: string; status: string; batch: string }, filter: { text: string; status: string; batch: string }) => boolean;
};
const logic = new Function(`${RUNS_TABLE_LOGIC}; return { compareKeys, sortOrder, rowMatches };`)() as Logic;

describe('the runs table script: sorting', () => {
  it.each([
    { name: 'numbers numerically, not as text', keys: ['16', '1024', '64', '256'], type: 'num', dir: 'asc', want: [0, 2, 3, 1] },
    { name: 'descending', keys: ['16', '1024', '64', '256'], type: 'num', dir: 'desc', want: [1, 3, 2, 0] },
    { name: 'full-precision keys and exponents', keys: ['0.00625', '1e-3', '0.1', '2.5e+2'], type: 'num', dir: 'asc', want: [1, 0, 2, 3] },
    { name: 'empty (no value: a diverged run\'s test acc) last in both directions', keys: ['0.9', '', '0.95', ''], type: 'num', dir: 'desc', want: [2, 0, 1, 3] },
    { name: 'empty last ascending too', keys: ['', '0.9', '0.8'], type: 'num', dir: 'asc', want: [2, 1, 0] },
    { name: 'text case-insensitively, ties in their order', keys: ['sqrt', 'Linear', 'none', 'linear'], type: 'text', dir: 'asc', want: [1, 3, 2, 0] },
    { name: 'text with numbers inside in numeric order', keys: ['arm 10', 'arm 9', 'arm 100'], type: 'text', dir: 'asc', want: [1, 0, 2] },
    { name: 'text descending, empty last', keys: ['', 'completed', 'diverged'], type: 'text', dir: 'desc', want: [2, 1, 0] },
  ] as const)('$name', ({ keys, type, dir, want }) => {
    expect(logic.sortOrder([...keys], type, dir)).toEqual(want);
  });
});

describe('the runs table script: filtering', () => {
  const row = { text: 'a1b2c3 diverged linear 1024 0.1 1.6 loss 4.1 exceeded 100x its first value', status: 'diverged', batch: '1024' };
  it.each([
    { filter: { text: '', status: '', batch: '' }, want: true },
    { filter: { text: '', status: 'diverged', batch: '' }, want: true },
    { filter: { text: '', status: 'completed', batch: '' }, want: false },
    { filter: { text: '', status: '', batch: '1024' }, want: true },
    { filter: { text: '', status: '', batch: '102' }, want: false }, // a batch size is matched whole
    { filter: { text: 'LINEAR', status: '', batch: '' }, want: true },
    { filter: { text: ' linear  exceeded ', status: 'diverged', batch: '1024' }, want: true },
    { filter: { text: 'linear sqrt', status: '', batch: '' }, want: false }, // every word must appear
  ])('$filter -> $want', ({ filter, want }) => {
    expect(logic.rowMatches(row, filter)).toBe(want);
  });
});

function run(id: string, status: RunSummary['status'], batchSize: number, finalTestAcc: number): RunResult {
  const summary = {
    runId: id, status, batchSize, baseLr: 0.1, lr: 0.1 * batchSize / 64, scalingRule: 'linear', seed: 1, steps: 10, epochs: 2,
    finalTrainLoss: 0.2, finalTestLoss: 0.3, finalTrainAcc: 0.95, finalTestAcc, bestTestAcc: finalTestAcc, wallS: 1.23456, samplesPerS: 1000, axes: { arm: 'a<b' },
  } as unknown as RunSummary;
  return { summary, curve: [] };
}

describe('renderRunsTable', () => {
  const html = renderRunsTable([run('r1', 'completed', 16, 0.912345678), run('r2', 'diverged', 1024, NaN)], ['arm']);

  it('gives every header a sort button and its type, numeric cells their full-precision key', () => {
    const ths = [...html.matchAll(/<th[^>]*data-type="(\w+)"[^>]*><button type="button" data-sort-col="(\d+)">([^<]*)<\/button><\/th>/g)];
    expect(ths.map((m) => m[3])).toEqual([
      'run_id', 'status', 'scaling_rule', 'arm', 'batch_size', 'base_lr', 'lr (applied)', 'seed', 'steps', 'epochs',
      'train loss', 'test loss', 'train acc', 'test acc', 'best test acc', 'wall_s', 'samples/s', 'note',
    ]);
    expect(ths.map((m) => Number(m[2]))).toEqual(ths.map((_, i) => i));
    expect(ths.filter((m) => m[1] === 'text').map((m) => m[3])).toEqual(['run_id', 'status', 'scaling_rule', 'arm', 'note']);
    expect(html).toContain('<td class="" data-sort="0.912345678">0.9123</td>');
    expect(html).toContain('<td class="" data-sort="">'); // a diverged run's test acc: sorted last
  });

  it('tags rows with their status and batch size, escaped, and offers each in a filter', () => {
    expect(html).toContain('<tr class="status-completed" data-status="completed" data-batch-size="16">');
    expect(html).toContain('<tr class="status-diverged" data-status="diverged" data-batch-size="1024">');
    expect(html).toContain('<td class="text">a&lt;b</td>');
    expect(html).toMatch(/<select data-filter="status"><option value="">all<\/option><option value="completed">completed<\/option><option value="diverged">diverged<\/option><\/select>/);
    expect(html).toMatch(/<select data-filter="batch"><option value="">all<\/option><option value="16">16<\/option><option value="1024">1024<\/option><\/select>/);
    expect(html).toContain('<input type="search" data-filter="text"');
    // Without script the controls stay hidden and the table reads as it is.
    expect(html).toMatch(/<div class="runs-controls" data-runs-controls hidden>/);
    expect(html).toContain('2 of 2 runs shown');
  });

  it('the script loads nothing from outside the page', () => {
    expect(RUNS_TABLE_SCRIPT).not.toMatch(/https?:|import\s*\(|fetch\(|XMLHttpRequest|src=/);
  });
});
