/**
 * train.checkpointEvery: its shapes, and that it never enters a run id (a finished run is found
 * again only under the same id; test/run-ids.golden.test.ts pins the ids of every shipped spec).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpec } from '../src/config/read-spec.ts';
import { validateSpec } from '../src/config/validate.ts';
import { planSweep } from '../src/runner/plan.ts';

const ROOT = resolve(import.meta.dirname, '..');

describe('train.checkpointEvery', () => {
  it.each([
    [{ steps: 100 }, true],
    [{ seconds: 30 }, true],
    [{ seconds: 0.5 }, true],
    [false, true],
    [{ steps: 0 }, false],
    [{ steps: 1.5 }, false],
    [{ minutes: 2 }, false],
    [{ steps: 10, seconds: 5 }, false],
    ['2m', false],
    [true, false],
  ])('%j valid: %s', (value, ok) => {
    const v = validateSpec({ train: { epochs: 1, checkpointEvery: value } });
    expect(v.ok).toBe(ok);
    if (!v.ok) expect(v.issues.every((i) => i.path.startsWith('train.checkpointEvery'))).toBe(true);
  });

  it('is absent unless given (so it does not enter the run id)', () => {
    const v = validateSpec({ train: { epochs: 1 } });
    expect(v.ok && 'checkpointEvery' in v.spec.train).toBe(false);
  });

  it('leaves every run id as it was, whatever its value', async () => {
    const spec = await readSpec(resolve(ROOT, 'experiments/quick.yaml'));
    const ids = planSweep(spec).runs.map((r) => r.runId);
    for (const every of [{ steps: 7 }, { seconds: 5 }, false]) {
      const checked = validateSpec({ ...spec, train: { ...spec.train, checkpointEvery: every } });
      if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
      expect(planSweep(checked.spec).runs.map((r) => r.runId)).toEqual(ids);
    }
  });
});
