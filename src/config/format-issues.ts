/** Turns schema issues into `path: expected ..., got <value>` lines, with "did you mean" for unknown keys. */
import type { z } from 'zod';
import type { Issue } from '../errors.ts';

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The closest known key, if any is within two edits (case-insensitive). */
export function suggestKey(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

export function formatSchemaIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  knownKeys: Iterable<string>,
): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        // A key known elsewhere (e.g. `seed` under sweep) is no hint for itself: suggest a neighbour.
        const hint = suggestKey(key, [...knownKeys].filter((k) => k !== key));
        out.push({
          path: joinPath([...issue.path, key]),
          message: `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}`,
        });
      }
      continue;
    }
    const value = valueAt(input, issue.path);
    // zod's own wording for a section given as something else ("Invalid input: expected object, ...").
    const sectionNotMap = issue.code === 'invalid_type' && issue.expected === 'object' && !issue.message.startsWith('expected');
    const expected = sectionNotMap ? 'expected a map of keys' : issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`;
    out.push({ path: joinPath(issue.path), message: `${expected}, got ${describeValue(value)}` });
  }
  return out;
}
