import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashModelFiles } from './model-hash.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A fresh folder holding `files` (path -> text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'model-hash-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const sha = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');
const moduleHash = (dir: string, path = 'm.mjs') => hashModelFiles({ name: 'module', path: join(dir, path) } as never);

describe('model.hash of a module', () => {
  it('without local imports it is the SHA-256 of the file alone (ids of such models are unchanged)', async () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nexport default () => tf.sequential();\n";
    expect(await moduleHash(folder({ 'm.mjs': text }))).toBe(sha(text));
  });

  it('covers local imports, followed through each other, by relative path and bytes; packages are not followed', async () => {
    const main = "import { width } from './lib/size.mjs';\nimport * as tf from '@tensorflow/tfjs';\nexport default () => tf.sequential({ name: String(width) });\n";
    const size = "export { depth } from './depth.mjs';\nexport const width = 8;\n";
    const depth = 'export const depth = 2;\n';
    const dir = folder({ 'm.mjs': main, 'lib/size.mjs': size, 'lib/depth.mjs': depth });
    const before = await moduleHash(dir);
    expect(before).toBe(sha(main, '\0lib/depth.mjs\0', depth, '\0lib/size.mjs\0', size));
    writeFileSync(join(dir, 'lib/depth.mjs'), 'export const depth = 3;\n');
    const after = await moduleHash(dir);
    expect(after).not.toBe(before);
    expect(after).toBe(sha(main, '\0lib/depth.mjs\0', 'export const depth = 3;\n', '\0lib/size.mjs\0', size));
  });

  it('follows TypeScript imports written without an extension', async () => {
    const main = "import { units } from './units';\nexport default () => units;\n";
    const dir = folder({ 'm.mts': main, 'units.ts': 'export const units: number = 4;\n' });
    const before = await moduleHash(dir, 'm.mts');
    expect(before).not.toBe(sha(main));
    writeFileSync(join(dir, 'units.ts'), 'export const units: number = 5;\n');
    expect(await moduleHash(dir, 'm.mts')).not.toBe(before);
  });

  it('a module esbuild cannot read hashes as its file alone (building it reports the reason)', async () => {
    const text = "import { x } from './missing.mjs';\nexport default () => x;\n";
    expect(await moduleHash(folder({ 'm.mjs': text }))).toBe(sha(text));
  });
});
