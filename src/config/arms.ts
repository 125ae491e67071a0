/** Arms of a sweep: named variants of the base spec, written like --set overrides. */
import { applyOverrides } from './overrides.ts';
import type { Spec } from './schema.ts';

const BUDGET_KEYS = ['train.epochs', 'train.steps', 'train.examples'];

/**
 * The spec with an arm's `set` applied: config paths change the runs, `sweep.*` paths change this
 * arm's grid (e.g. its scaling rules or LRs); an arm that sets a budget replaces the base's.
 * The result is not validated: the planner validates each run it plans from it.
 */
export function applyArm(spec: Spec, set: Record<string, unknown>): Spec {
  const paths = Object.keys(set);
  const out = applyOverrides(spec, paths.map((path) => ({ path, value: set[path] }))) as unknown as Spec;
  if (paths.some((p) => BUDGET_KEYS.includes(p))) {
    for (const key of BUDGET_KEYS) {
      if (!paths.includes(key)) delete (out.train as Record<string, unknown>)[key.slice('train.'.length)];
    }
  }
  return out;
}
