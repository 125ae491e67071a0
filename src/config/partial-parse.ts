/**
 * The spec without the keys the schema refused, so the cross-field rules that read none of them
 * can still run and every problem is reported at once (a misspelt model key and a model that
 * does not fit the data, in one go).
 */
import type { z } from 'zod';
import { specSchema, type Spec } from './schema.ts';

type Path = readonly PropertyKey[];

/** The paths a zod issue refuses: unknown keys are refused one by one, other issues at their path. */
function refusedPaths(issues: readonly z.core.$ZodIssue[]): Path[] {
  return issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : [i.path]));
}

const dotted = (p: Path) => p.map(String).join('.');

/** Removes `path` from `root` in place; a list loses itself whole, so no index shifts. Returns the path removed. */
function removeAt(root: Record<PropertyKey, unknown>, path: Path): Path {
  let parent: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = (parent as Record<PropertyKey, unknown>)[path[i]];
    if (Array.isArray(next)) return removeAt(root, path.slice(0, i + 1));
    if (next === null || typeof next !== 'object') return path.slice(0, i + 1);
    parent = next;
  }
  delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1]];
  return path;
}

/**
 * `input` parsed with every refused key removed (a key refused again loses its parent), and the
 * dotted paths removed; undefined when nothing parses short of removing the whole spec.
 * Pure: `input` is copied, not changed.
 */
export function parseWithoutRefused(input: unknown, issues: readonly z.core.$ZodIssue[]): { spec: Spec; refused: string[] } | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const copy = structuredClone(input) as Record<PropertyKey, unknown>;
  const refused = new Set<string>();
  let pending = refusedPaths(issues);
  for (let round = 0; round < 8; round++) {
    for (let path of pending) {
      while (path.length > 0 && refused.has(dotted(path))) path = path.slice(0, -1);
      if (path.length === 0) return undefined;
      refused.add(dotted(removeAt(copy, path)));
    }
    const parsed = specSchema.safeParse(copy);
    if (parsed.success) return { spec: parsed.data, refused: [...refused] };
    pending = refusedPaths(parsed.error.issues);
  }
  return undefined;
}
