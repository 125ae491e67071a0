/** validateSpec: schema (types) -> defaults -> cross-field rules; every issue at once, by path. */
import { z } from 'zod';
import type { Issue } from '../errors.ts';
import { formatSchemaIssues } from './format-issues.ts';
import { checkRules } from './rules.ts';
import { specSchema, type Spec } from './schema.ts';

export type Validation = { ok: true; spec: Spec } | { ok: false; issues: Issue[] };

/** Every object key the schema knows, for "did you mean" hints. */
function collectKeys(schema: z.ZodType, into: Set<string>): Set<string> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'object') {
    for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
      into.add(key);
      collectKeys(child, into);
    }
  } else if (def.type === 'union') {
    for (const option of def.options as z.ZodType[]) collectKeys(option, into);
  } else if (def.innerType) {
    collectKeys(def.innerType as z.ZodType, into);
  } else if (def.type === 'array') {
    collectKeys(def.element as z.ZodType, into);
  }
  return into;
}

const KNOWN_KEYS = collectKeys(specSchema, new Set());

export function validateSpec(input: unknown): Validation {
  const parsed = specSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: formatSchemaIssues(parsed.error.issues, input, KNOWN_KEYS) };
  }
  const issues = checkRules(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, spec: parsed.data };
}
