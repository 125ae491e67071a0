/** Reads a spec file (YAML or JSON), applies overrides and validates; throws UsageError listing every issue. */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { applyOverrides, parseOverrides } from './overrides.ts';
import { MAX_YAML_CHARS, parseYamlLimited } from './read-yaml.ts';
import type { Spec } from './schema.ts';
import { validateSpec } from './validate.ts';
import { withModelHash } from './model-hash.ts';
import { withDataHash } from '../data/files/data-hash.ts';

export async function readSpec(file: string, sets: readonly string[] = []): Promise<Spec> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.isFile() && info.size > MAX_YAML_CHARS) {
      throw new UsageError(`spec ${file} is not valid YAML/JSON: larger than ${MAX_YAML_CHARS / 1024} KiB (${info.size.toLocaleString('en-US')} bytes)`);
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read spec ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseYamlLimited(text);
  if (!parsed.ok) throw new UsageError(`spec ${file} is not valid YAML/JSON: ${parsed.why}`);
  const doc = parsed.value;
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    const got = Array.isArray(doc) ? 'a list' : typeof doc;
    throw new UsageError(`spec ${file}: expected a mapping of keys, got ${got}`);
  }
  const { overrides, issues: setIssues } = parseOverrides(sets);
  const result = validateSpec(applyOverrides(doc, overrides));
  const issues = [...setIssues, ...(result.ok ? [] : result.issues)];
  if (issues.length || !result.ok) throw new UsageError(`invalid spec ${file}`, issues);
  return withDataHash(await withModelHash(result.spec));
}
