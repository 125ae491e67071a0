/** `--set path=value` overrides. Values are YAML flow scalars or collections (`[1, 2]`, `0.1`, `batch`). */
import { UsageError, type Issue } from '../errors.ts';
import { setPath } from '../core/paths.ts';
import { parseYamlLimited } from './read-yaml.ts';

export interface Override { path: string; value: unknown }

/** Keys that would reach an object's prototype instead of a config key; never config keys. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `path` cannot be an override path, or undefined when it can: dotted keys of letters, digits and _. */
export function badOverridePath(path: string): string | undefined {
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path)) return 'expected dot-separated keys of letters, digits and _ (e.g. train.epochs)';
  const bad = path.split('.').find((k) => FORBIDDEN_KEYS.has(k));
  return bad ? `'${bad}' is not a config key` : undefined;
}

export function parseOverrides(args: readonly string[]): { overrides: Override[]; issues: Issue[] } {
  const overrides: Override[] = [];
  const issues: Issue[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const path = eq > 0 ? arg.slice(0, eq).trim() : '';
    const why = path ? badOverridePath(path) : 'expected path=value';
    if (why) {
      issues.push({ path: '--set', message: `expected path=value (e.g. train.epochs=2), got ${JSON.stringify(arg.length > 80 ? `${arg.slice(0, 77)}...` : arg)}: ${why}` });
      continue;
    }
    const parsed = parseYamlLimited(arg.slice(eq + 1));
    if (parsed.ok) overrides.push({ path, value: parsed.value });
    else {
      const raw = arg.slice(eq + 1);
      issues.push({ path: `--set ${path}`, message: `expected a YAML value, got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw)} (${parsed.why})` });
    }
  }
  return { overrides, issues };
}

/**
 * Returns a copy of `doc` with each override written at its path, creating objects on the way.
 * Only own keys are followed and written, and a path through __proto__, constructor or prototype
 * is a UsageError, so no path reaches an object's prototype.
 */
export function applyOverrides(doc: unknown, overrides: readonly Override[]): Record<string, unknown> {
  let root = structuredClone((doc ?? {}) as Record<string, unknown>);
  for (const { path, value } of overrides) {
    const why = badOverridePath(path);
    if (why) throw new UsageError(`invalid override path ${JSON.stringify(path)}`, [{ path, message: why }]);
    root = setPath(root, path, value, { createMissing: true });
  }
  return root;
}
