/**
 * data.hash: filled in when the spec is read, over the sizes and contents of the files a file
 * dataset reads, so a replaced file gives new run ids; built-in datasets get none.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../../test/support/idx-fixtures.ts';
import { useTempDir } from '../../../test/support/temp-dir.ts';
import { readSpec } from '../../config/read-spec.ts';
import { UsageError } from '../../errors.ts';
import { planSweep } from '../../runner/plan.ts';

const tmp = useTempDir('batchlab-data-hash-');
const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes `data` as a spec's data block and reads the spec; returns its data.hash and run ids. */
async function read(data: string): Promise<{ hash: unknown; ids: string[] }> {
  const file = join(tmp.path, 'spec.yaml');
  writeFileSync(file, `name: h\ndata: ${data}\ntrain: { steps: 2, batchSize: 4 }\nsweep: { batchSize: [4, 8] }\n`);
  const spec = await readSpec(file);
  return { hash: (spec.data as { hash?: unknown }).hash, ids: planSweep(spec).runs.map((r) => r.runId) };
}

describe('data.hash', () => {
  it('is the SHA-256 of each file as role, size and content hash; a new content gives new run ids, the same content the same', async () => {
    const csv = join(tmp.path, 'd.csv');
    const text = 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n';
    writeFileSync(csv, text);
    const first = await read(`{ name: csv, path: ${csv}, label: label }`);
    expect(first.hash).toBe(sha256(`data.path ${text.length} ${sha256(text)}\n`));
    writeFileSync(csv, text); // rewritten unchanged: a new mtime, the same content
    expect(await read(`{ name: csv, path: ${csv}, label: label }`)).toEqual(first);
    writeFileSync(csv, text.replace('9,1,0', '9,2,0')); // same size, one value changed
    const changed = await read(`{ name: csv, path: ${csv}, label: label }`);
    expect(changed.hash).not.toBe(first.hash);
    expect(changed.ids.some((id) => first.ids.includes(id))).toBe(false);
  });

  it('covers the IDX files found (raw or .gz) and every image of every class folder', async () => {
    const dir = join(tmp.path, 'idx');
    mkdirSync(dir);
    const files = { 'train-images-idx3-ubyte': encodeIdx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), 'train-labels-idx1-ubyte': encodeIdx([2], [0, 1]), 't10k-images-idx3-ubyte': encodeIdx([1, 2, 2], [1, 2, 3, 4]) };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([1], [1])));
    const idx = await read(`{ name: idx, dir: ${dir} }`);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([1], [0])));
    expect((await read(`{ name: idx, dir: ${dir} }`)).hash).not.toBe(idx.hash);

    const images = join(tmp.path, 'img');
    for (const c of ['cat', 'dog']) mkdirSync(join(images, c), { recursive: true });
    writeFileSync(join(images, 'cat', 'a.png'), 'not decoded by the hash');
    writeFileSync(join(images, 'dog', 'b.png'), 'b');
    const spec = `{ name: images, dir: ${images}, height: 2, width: 2 }`;
    const before = (await read(spec)).hash;
    writeFileSync(join(images, 'dog', 'c.png'), 'c');
    const added = (await read(spec)).hash;
    renameSync(join(images, 'dog', 'c.png'), join(images, 'cat', 'c.png')); // the same bytes, another class
    const moved = (await read(spec)).hash;
    expect(new Set([before, added, moved]).size).toBe(3);
  });

  it('leaves built-in datasets without one, lets a missing file through to preflight, and refuses a given hash that differs', async () => {
    expect((await read('{ name: blobs }')).hash).toBeUndefined();
    expect((await read(`{ name: csv, path: ${join(tmp.path, 'none.csv')}, label: y }`)).hash).toMatch(/^[0-9a-f]{64}$/);
    const csv = join(tmp.path, 'd.csv');
    writeFileSync(csv, 'a,label\n1,0\n2,1\n');
    const err = await read(`{ name: csv, path: ${csv}, label: label, hash: abc }`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues[0]).toMatchObject({ path: 'data.hash', message: expect.stringMatching(/^expected the SHA-256 of the data files, [0-9a-f]{64}, got abc/) });
  });
});
