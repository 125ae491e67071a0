/** Reads a spec file (YAML or JSON), applies overrides and validates; throws UsageError listing every issue. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.ts';
import { applyOverrides, parseOverrides } from './overrides.ts';
import type { Spec } from './schema.ts';
import { validateSpec } from './validate.ts';

export async function readSpec(file: string, sets: readonly string[] = []): Promise<Spec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read spec ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new UsageError(`spec ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new UsageError(`spec ${file}: expected a mapping of keys, got ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  }
  const { overrides, issues: setIssues } = parseOverrides(sets);
  const result = validateSpec(applyOverrides(doc, overrides));
  const issues = [...setIssues, ...(result.ok ? [] : result.issues)];
  if (issues.length || !result.ok) throw new UsageError(`invalid spec ${file}`, issues);
  return result.spec;
}
