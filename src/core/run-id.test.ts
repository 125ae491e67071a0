import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, runId, specHash } from './run-id.ts';
import { InternalError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

describe('canonicalJson', () => {
  const cases: [unknown, string][] = [
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: [3, { d: 1, c: 'x' }], x: null } }, '{"z":{"x":null,"y":[3,{"c":"x","d":1}]}}'],
    [{ a: undefined, b: true }, '{"b":true}'],
    [[1, undefined], '[1,null]'],
    ['é"\n', JSON.stringify('é"\n')],
    [-0, '0'],
    [1e-7, '1e-7'],
  ];
  it.each(cases)('%j', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    // Canonical JSON is still JSON that parses back to the same data.
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it.each([
    [{ train: { lr: NaN } }, 'train.lr'],
    [{ a: [1, Infinity] }, 'a[1]'],
    [{ f: () => 1 }, 'f'],
    [10n, '(root)'],
  ])('rejects %s at its path', (value, path) => {
    expect(thrown(() => canonicalJson(value), InternalError).message).toContain(`: ${path}: `);
  });
});

describe('runId', () => {
  const config = { train: { lr: 0.1, batchSize: 32, seed: 1 }, model: { name: 'mlp', hidden: [256, 128] } };

  it('is 12 hex chars: the SHA-256 prefix of the canonical JSON', () => {
    const expected = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
    expect(runId(config)).toBe(expected);
    expect(runId(config)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('ignores key order at every depth', () => {
    const reordered = { model: { hidden: [256, 128], name: 'mlp' }, train: { seed: 1, batchSize: 32, lr: 0.1 } };
    expect(runId(reordered)).toBe(runId(config));
  });

  it('changes with any value, with array order, and with meta', () => {
    const ids = new Set([
      runId(config),
      runId({ ...config, train: { ...config.train, seed: 2 } }),
      runId({ ...config, model: { name: 'mlp', hidden: [128, 256] } }),
      runId(config, { scalingRule: 'none' }),
      runId(config, { scalingRule: 'linear' }),
    ]);
    expect(ids.size).toBe(5);
  });

  it('is stable across releases for a fixed input', () => {
    // Pinned so that a change to the canonical form (which would orphan finished runs) fails here.
    expect(canonicalJson({ b: [1, 'x'], a: { d: null, c: false } })).toBe('{"a":{"c":false,"d":null},"b":[1,"x"]}');
    // sha256 of that text, computed with coreutils `sha256sum`.
    expect(runId({ b: [1, 'x'], a: { d: null, c: false } })).toBe('dc9e4195851b');
  });
});

describe('specHash', () => {
  it('is the full SHA-256 of the canonical JSON: key order does not matter, any value does', () => {
    const a = specHash({ name: 'x', claim: { id: 'C1', test: { kind: 'slope' } }, train: { lr: 0.1 } });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash({ train: { lr: 0.1 }, claim: { test: { kind: 'slope' }, id: 'C1' }, name: 'x' })).toBe(a);
    expect(specHash({ name: 'x', claim: { id: 'C1', test: { kind: 'rank-correlation' } }, train: { lr: 0.1 } })).not.toBe(a);
    // sha256 of '{"a":1}' (printf '{"a":1}' | sha256sum)
    expect(specHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});
