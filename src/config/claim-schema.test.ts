import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateClaim } from './claim-schema.ts';

const C2 = parseYaml(`
id: C2
statement: BatchNorm's error climbs at very small batches while GroupNorm's stays flat.
metric: final_test_error
test:
  kind: interaction
  where: { scaling_rule: linear }
  a1: { model.norm: batch, batch_size: 2 }
  a2: { model.norm: batch, batch_size: 32 }
  b1: { model.norm: group, batch_size: 2 }
  b2: { model.norm: group, batch_size: 32 }
  labels: { a1: BN(2), a2: BN(32), b1: GN(2), b2: GN(32) }
expect: { above: 0 }
`);

describe('validateClaim', () => {
  it('accepts a full claim, fills defaults and expands the metric shorthand', () => {
    const v = validateClaim(C2);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.claim.metric).toEqual({ name: 'final_test_error' });
    expect(v.claim.bootstrap).toEqual({ iterations: 2000, seed: 0, level: 0.95 });
    expect(v.claim.test).toMatchObject({ kind: 'interaction', interval: 't', a1: { 'model.norm': 'batch', batch_size: 2 } });
    expect(v.claim.expect).toEqual({ above: 0 });
    expect(v.claim.minSeeds).toBe(5);
  });

  it('minSeeds: an integer >= 2', () => {
    const base = { id: 'C', statement: 's', metric: 'final_test_acc', test: { kind: 'paired-difference', a: { arm: 1 }, b: { arm: 2 } }, expect: { above: 0 } };
    const ok = validateClaim({ ...base, minSeeds: 10 });
    expect(ok.ok && ok.claim.minSeeds).toBe(10);
    expect(validateClaim({ ...base, minSeeds: 1 })).toEqual({ ok: false, issues: [{ path: 'claim.minSeeds', message: 'expected an integer >= 2 (an interval needs two seeds), got 1' }] });
    const bad = validateClaim({ ...base, minSeeds: 2.5 });
    expect(!bad.ok && bad.issues[0]!.path).toBe('claim.minSeeds');
  });

  it('fills trend defaults', () => {
    const v = validateClaim({ id: 'C1', statement: 's', metric: { name: 'curve', column: 'grad_var' }, test: { kind: 'slope' }, expect: { between: [-1.2, -0.8] } });
    expect(v.ok && v.claim.test).toEqual({
      kind: 'slope', where: {}, labels: {}, x: 'batch_size', y: 'metric', xScale: 'log', yScale: 'log', interval: 't', interpolate: 'parabola', tuneOn: 'validation',
    });
  });

  it('accepts an equivalence test without expect', () => {
    const v = validateClaim({ id: 'C8', statement: 's', metric: 'final_test_acc', test: { kind: 'equivalence', a: { arm: 1 }, b: { arm: 2 }, margin: 0.01 } });
    expect(v.ok).toBe(true);
  });

  const bad = (patch: Record<string, unknown>) => validateClaim({ ...C2, ...patch });
  it.each<[string, Record<string, unknown>, { path: string; message: string }]>([
    ['an unknown test kind', { test: { kind: 'anova' } },
      { path: 'claim.test.kind', message: 'expected a test: { kind: paired-difference | interaction | equivalence | slope | rank-correlation | critical-batch, ... }, got "anova"' }],
    ['an unknown metric', { metric: 'test_accuracy' }, { path: 'claim.metric.name', message: expect.stringMatching(/^expected one of final_test_acc \| .*, got "test_accuracy"$/) }],
    ['a misspelt key', { statment: 'x' }, { path: 'claim.statment', message: "unknown key (did you mean 'statement'?)" }],
    ['a missing id', { id: undefined }, { path: 'claim.id', message: 'expected a string, got nothing' }],
    ['no expect', { expect: undefined }, { path: 'claim.expect', message: 'expected { above: t } | { below: t } | { between: [lo, hi] } for test kind interaction, got nothing' }],
    ['two expectations', { expect: { above: 0, below: 1 } }, { path: 'claim.expect', message: 'expected exactly one of above | below | between, got above and below' }],
    ['a reversed band', { expect: { between: [1, -1] } }, { path: 'claim.expect.between', message: 'expected low < high, got [1, -1]' }],
    ['a non-number threshold', { expect: { above: 'zero' } }, { path: 'claim.expect.above', message: 'expected a number, got "zero"' }],
    ['steps_to_target without a target', { metric: { name: 'steps_to_target' } }, { path: 'claim.metric.target', message: 'expected a number for steps_to_target, got nothing' }],
    ['a target on a summary metric', { metric: { name: 'final_test_acc', target: 0.9 } }, { path: 'claim.metric.target', message: expect.stringContaining('expected nothing for final_test_acc') }],
    ['curve without a column', { metric: { name: 'curve' } }, { path: 'claim.metric.column', message: expect.stringContaining('expected a curve column') }],
    ['y tuned without tune', { test: { kind: 'slope', y: 'tuned' } }, { path: 'claim.test.tune', message: 'expected the column to tune (e.g. lr) when y is tuned, got nothing' }],
    ['a label for no group', { test: { ...(C2 as { test: object }).test, labels: { c: 'x' } } }, { path: 'claim.test.labels.c', message: 'expected a group of this test (a1 | a2 | b1 | b2), got "c"' }],
    ['equivalence with expect', { test: { kind: 'equivalence', a: {}, b: {}, margin: 0.01 } }, { path: 'claim.expect', message: expect.stringContaining('expected nothing for an equivalence test') }],
    ['equivalence without margin', { test: { kind: 'equivalence', a: {}, b: {} }, expect: undefined }, { path: 'claim.test.margin', message: 'expected a positive number, got nothing' }],
    ['a selector that is not a map', { test: { kind: 'paired-difference', a: 'batch', b: {} } }, { path: 'claim.test.a', message: expect.stringContaining('expected a map of column -> value') }],
    ['zero bootstrap iterations', { bootstrap: { iterations: 0 } }, { path: 'claim.bootstrap.iterations', message: 'expected a positive integer, got 0' }],
  ])('reports %s by path', (_name, patch, issue) => {
    const v = bad(patch);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues).toContainEqual(issue);
  });

  it('reports a non-object claim at claim', () => {
    const v = validateClaim('C2');
    expect(!v.ok && v.issues[0]!.path).toBe('claim');
  });
});

describe('docs/CLAIMS.md', () => {
  it('every example claim block validates', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parseAllDocuments } = await import('yaml');
    const text = await readFile(new URL('../../docs/CLAIMS.md', import.meta.url), 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const claims = blocks.flatMap((b) => parseAllDocuments(b).map((d) => (d.toJS() as { claim?: unknown }).claim)).filter(Boolean);
    expect(claims.length).toBeGreaterThanOrEqual(1);
    for (const c of claims) {
      const v = validateClaim(c);
      expect(v.ok ? [] : v.issues, (c as { id: string }).id).toEqual([]);
    }
  });
});

describe('experiments/claims', () => {
  it('every claim spec validates, with every claim block in it', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const { parse } = await import('yaml');
    const { validateSpec } = await import('./validate.ts');
    const dir = new URL('../../experiments/claims/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
    expect(files).toHaveLength(10);
    for (const f of files) {
      const doc = parse(await readFile(new URL(f, dir), 'utf8'));
      const spec = validateSpec(doc);
      expect(spec.ok ? [] : spec.issues, f).toEqual([]);
      const blocks = Array.isArray(doc.claim) ? doc.claim : [doc.claim];
      expect(blocks.length, f).toBeGreaterThan(0);
      for (const c of blocks) {
        const v = validateClaim(c);
        expect(v.ok ? [] : v.issues, `${f} ${c?.id}`).toEqual([]);
      }
    }
  });
});
