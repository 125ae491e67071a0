/** validateSpec: schema (types) -> defaults -> cross-field rules; every issue at once, by path. */
import { z } from 'zod';
import type { Issue } from '../errors.ts';
import { validateClaim } from './claim-schema.ts';
import { describeValue, formatSchemaIssues } from './format-issues.ts';
import { parseWithoutRefused } from './partial-parse.ts';
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

/** Where each key of a top-level section lives (`arms` -> sweep.arms), for keys written one level too high. */
const SECTION_KEYS: Map<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  const shape = (specSchema as unknown as { shape: Record<string, z.ZodType> }).shape;
  for (const [section, child] of Object.entries(shape)) {
    for (const key of collectKeys(child, new Set())) {
      if (key === 'name' || key in shape) continue;
      map.set(key, [...(map.get(key) ?? []), `${section}.${key}`]);
    }
  }
  return map;
})();

/** `arms:` at the top level is `sweep.arms`: point there instead of at the key itself. */
function hintSectionKeys(issues: Issue[]): Issue[] {
  return issues.map((i) => {
    const homes = !i.path.includes('.') && i.message.startsWith('unknown key') ? SECTION_KEYS.get(i.path) : undefined;
    return homes ? { ...i, message: `unknown key (did you mean ${homes.map((h) => `'${h}'`).join(' or ')}?)` } : i;
  });
}

/** The `claim:` block: one claim or a non-empty list, each checked by the claim schema (paths claim.* or claim[i].*). */
function claimIssues(input: unknown): Issue[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !Object.hasOwn(input, 'claim')) return [];
  const block = (input as { claim: unknown }).claim;
  if (block === undefined) return [];
  const notABlock = (c: unknown) => c === null || typeof c !== 'object' || Array.isArray(c);
  const expected = 'expected a claim block ({ id, statement, metric, test, expect }) or a non-empty list of them';
  if (!Array.isArray(block)) {
    if (notABlock(block)) return [{ path: 'claim', message: `${expected}, got ${describeValue(block)}` }];
    const v = validateClaim(block);
    return v.ok ? [] : v.issues;
  }
  if (block.length === 0) return [{ path: 'claim', message: `${expected}, got []` }];
  return block.flatMap((c, i) => {
    if (notABlock(c)) return [{ path: `claim[${i}]`, message: `expected a claim block ({ id, statement, metric, test, expect }), got ${describeValue(c)}` }];
    const v = validateClaim(c);
    return v.ok ? [] : v.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^claim/, `claim[${i}]`) }));
  });
}

export function validateSpec(input: unknown): Validation {
  const parsed = specSchema.safeParse(input);
  const claims = claimIssues(input);
  if (!parsed.success) {
    const partial = parseWithoutRefused(input, parsed.error.issues);
    const ruleIssues = partial ? checkRules(partial.spec, partial.refused) : [];
    return { ok: false, issues: [...hintSectionKeys(formatSchemaIssues(parsed.error.issues, input, KNOWN_KEYS)), ...ruleIssues, ...claims] };
  }
  const issues = [...checkRules(parsed.data), ...claims];
  return issues.length ? { ok: false, issues } : { ok: true, spec: parsed.data };
}
