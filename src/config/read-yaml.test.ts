import { describe, expect, it } from 'vitest';
import { parseYamlLimited } from './read-yaml.ts';

const laughs = (levels: number) => {
  let y = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  let prev = 'a';
  for (let i = 0; i < levels; i++) {
    const n = `l${i}`;
    y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    prev = n;
  }
  return y;
};

describe('parseYamlLimited', () => {
  it('reads ordinary documents, JSON and a few aliases', () => {
    expect(parseYamlLimited('a: [1, 2]\nb: { c: x }\n')).toEqual({ ok: true, value: { a: [1, 2], b: { c: 'x' } } });
    expect(parseYamlLimited('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseYamlLimited('d: &d { lr: 0.1 }\ne: *d\n')).toEqual({ ok: true, value: { d: { lr: 0.1 }, e: { lr: 0.1 } } });
  });

  it.each([
    ['a billion laughs', laughs(8), /more than 100,000 values once aliases are expanded/],
    ['a quadratic bomb', `a: &a [${Array(5000).fill('x').join(',')}]\nb: [${Array(99).fill('*a').join(',')}]\n`, /more than 100,000 values/],
    ['many aliases', `a: &a 1\nb: [${Array(30_000).fill('*a').join(',')}]\n`, /more than 100 aliases|larger than/],
    ['a self-referencing alias', '&a [*a, *a]', /contains it/],
    ['a deep nest', `${'['.repeat(5000)}${']'.repeat(5000)}`, /nested/],
    ['a huge document', `# ${'x'.repeat(300 * 1024)}`, /larger than 64 KiB/],
    ['a duplicate key', 'a: 1\na: 2\n', /unique/],
  ])('refuses %s in well under a second of CPU time', (_name, text, why) => {
    // CPU time, not wall time: the verdict must not depend on how busy the machine is.
    const t0 = process.cpuUsage();
    const r = parseYamlLimited(text);
    const used = process.cpuUsage(t0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
    expect((used.user + used.system) / 1000).toBeLessThan(500);
  });
});
