import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.ts';
import { encodeIdx, writeIdxFile } from '../../test/support/idx-fixtures.ts';
import { parseIdx, readIdxDims, readIdxFile } from './idx.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'batchlab-idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// 3 images of 2x4 with distinct bytes, including 0 and 255.
const images = Array.from({ length: 24 }, (_, i) => (i * 37 + 255) % 256);

describe('readIdxFile', () => {
  it.each([false, true])('reads a 3-d ubyte file (gzipped: %s) back exactly', async (gz) => {
    const path = join(dir, gz ? 'images.gz' : 'images');
    await writeIdxFile(path, encodeIdx([3, 2, 4], images), gz);
    const idx = await readIdxFile(path);
    expect(idx.dims).toEqual([3, 2, 4]);
    expect([...idx.data]).toEqual(images);
  });

  it('detects gzip from the content, whatever the name', async () => {
    const path = join(dir, 'labels-named-raw');
    await writeIdxFile(path, encodeIdx([5], [0, 1, 2, 9, 4]), true);
    expect([...(await readIdxFile(path)).data]).toEqual([0, 1, 2, 9, 4]);
  });

  it('names the file when it is missing or not valid gzip', async () => {
    await expect(readIdxFile(join(dir, 'absent'))).rejects.toThrow(/absent/);
    const path = join(dir, 'broken.gz');
    await writeFile(path, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    const err = await readIdxFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain(path);
  });
});

describe('parseIdx rejects corrupt files, naming them', () => {
  const good = encodeIdx([2, 3], [1, 2, 3, 4, 5, 6]);
  const withByte = (at: number, value: number) => {
    const copy = Uint8Array.from(good);
    copy[at] = value;
    return copy;
  };
  it.each([
    ['bad magic', withByte(0, 1), /magic/],
    ['int32 values', withByte(2, 0x0c), /0x0c/],
    ['zero dimensions', withByte(3, 0), /zero dimensions/],
    ['truncated data', good.subarray(0, good.length - 1), /need 18 bytes, file has 17/],
    ['extra data', Uint8Array.from([...good, 7]), /need 18 bytes, file has 19/],
    ['truncated header', good.subarray(0, 6), /header/],
    ['too short', good.subarray(0, 2), /2 bytes/],
  ])('%s', (_, bytes, pattern) => {
    const parse = () => parseIdx(bytes, 'some/file-idx');
    expect(parse).toThrow(EnvironmentError);
    expect(parse).toThrow(/some\/file-idx/);
    expect(parse).toThrow(pattern);
  });

  it('accepts the untouched file', () => {
    expect(parseIdx(good, 'x')).toEqual({ dims: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
  });
});

describe('readIdxDims', () => {
  it.each([false, true])('reads the dims from the header alone (gzipped: %s)', async (gz) => {
    const path = join(dir, gz ? 'dims.gz' : 'dims');
    await writeIdxFile(path, encodeIdx([3, 2, 4], images), gz);
    expect(await readIdxDims(path)).toEqual([3, 2, 4]);
  });

  it('checks the header as parseIdx does, naming the file', async () => {
    const path = join(dir, 'not-ubyte');
    const bytes = encodeIdx([5], [0, 1, 2, 3, 4]);
    bytes[2] = 0x0d;
    await writeFile(path, bytes);
    await expect(readIdxDims(path)).rejects.toThrow(/not-ubyte is not a valid IDX file: value type 0x0d/);
  });
});
