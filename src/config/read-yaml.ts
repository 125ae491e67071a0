/**
 * Parsing user YAML (spec files, claim files, `--set` values) with limits, so that a hostile or
 * broken document is refused quickly instead of exhausting memory: a size cap, an alias cap, a
 * cap on the number of values after aliases are expanded (a "billion laughs" or quadratic alias
 * bomb), a nesting cap, and no alias that contains itself. Pure: text in, plain JSON-like value out.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { UsageError } from '../errors.ts';

/** Largest document read, in characters; a spec is a few kilobytes. */
export const MAX_YAML_CHARS = 64 * 1024;
/** Alias nodes (`*name`) allowed in one document. */
export const MAX_YAML_ALIASES = 100;
/** Values (scalars, lists, maps) the document may hold once every alias is expanded. */
export const MAX_YAML_VALUES = 100_000;
/** Nesting depth of lists and maps. */
export const MAX_YAML_DEPTH = 64;

export type YamlResult = { ok: true; value: unknown } | { ok: false; why: string };

/** A document past a limit; turned into the reason of a refused read below. */
class Refused extends UsageError {}

/** Counts the values of the document with aliases expanded; throws Refused past a limit or on a cycle. */
function checkExpansion(doc: Document): void {
  const memo = new Map<unknown, number>();
  const active = new Set<unknown>();
  let aliases = 0;
  const size = (node: unknown, depth: number): number => {
    if (node === null || node === undefined) return 0;
    if (depth > MAX_YAML_DEPTH) throw new Refused(`nested deeper than ${MAX_YAML_DEPTH} levels`);
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > MAX_YAML_ALIASES) throw new Refused(`more than ${MAX_YAML_ALIASES} aliases`);
      const target = node.resolve(doc);
      return target === undefined ? 1 : size(target, depth);
    }
    if (isScalar(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (active.has(node)) throw new Refused('an alias refers to a value that contains it');
    active.add(node);
    let n = 1;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        n += isPair(item) ? size(item.key, depth + 1) + size(item.value, depth + 1) : size(item, depth + 1);
        if (n > MAX_YAML_VALUES) throw new Refused(`more than ${MAX_YAML_VALUES.toLocaleString('en-US')} values once aliases are expanded`);
      }
    }
    active.delete(node);
    memo.set(node, n);
    return n;
  };
  const total = size(doc.contents, 0);
  if (total > MAX_YAML_VALUES) throw new Refused(`more than ${MAX_YAML_VALUES.toLocaleString('en-US')} values once aliases are expanded`);
}

/**
 * Parses one YAML (or JSON) document within the limits above. `why` is one line: the parser's
 * first error or the limit broken.
 */
export function parseYamlLimited(text: string): YamlResult {
  if (text.length > MAX_YAML_CHARS) {
    return { ok: false, why: `larger than ${MAX_YAML_CHARS / 1024} KiB (${text.length.toLocaleString('en-US')} characters)` };
  }
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      const first = doc.errors[0]!.message.split('\n')[0]!;
      return { ok: false, why: first.startsWith('Maximum call stack') ? `nested too deeply${first.slice('Maximum call stack size exceeded'.length)}` : first };
    }
    checkExpansion(doc);
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    if (err instanceof Refused || err instanceof RangeError || err instanceof ReferenceError) {
      return { ok: false, why: err instanceof RangeError ? 'nested too deeply' : (err as Error).message.split('\n')[0]! };
    }
    throw err;
  }
}
