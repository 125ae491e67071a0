/** `--set path=value` overrides. Values are YAML flow scalars or collections (`[1, 2]`, `0.1`, `batch`). */
import { parse as parseYaml } from 'yaml';
import type { Issue } from '../errors.ts';

export interface Override { path: string; value: unknown }

export function parseOverrides(args: readonly string[]): { overrides: Override[]; issues: Issue[] } {
  const overrides: Override[] = [];
  const issues: Issue[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const path = eq > 0 ? arg.slice(0, eq).trim() : '';
    if (!path || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path)) {
      issues.push({ path: '--set', message: `expected path=value (e.g. train.epochs=2), got ${JSON.stringify(arg)}` });
      continue;
    }
    try {
      overrides.push({ path, value: parseYaml(arg.slice(eq + 1)) });
    } catch (err) {
      issues.push({ path: `--set ${path}`, message: `expected a YAML value, got ${JSON.stringify(arg.slice(eq + 1))} (${(err as Error).message.split('\n')[0]})` });
    }
  }
  return { overrides, issues };
}

/** Returns a copy of `doc` with each override written at its path, creating objects on the way. */
export function applyOverrides(doc: unknown, overrides: readonly Override[]): Record<string, unknown> {
  const root = structuredClone((doc ?? {}) as Record<string, unknown>);
  for (const { path, value } of overrides) {
    const keys = path.split('.');
    let cur = root;
    for (const key of keys.slice(0, -1)) {
      const next = cur[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
    cur[keys[keys.length - 1]] = value;
  }
  return root;
}
