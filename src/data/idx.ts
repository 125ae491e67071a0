/**
 * The IDX format of the MNIST family: big-endian header [0, 0, type, ndims], ndims uint32
 * sizes, then the values row-major. Only type 0x08 (unsigned bytes) is read: images and labels.
 * Files may be gzipped (detected from the content, not the name).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { EnvironmentError } from '../errors.ts';

const gunzipAsync = promisify(gunzip);

const UBYTE = 0x08;

/** A decoded IDX file: `data` holds prod(dims) bytes, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Checks an IDX header at the start of `bytes` (which may be only the first bytes of the file)
 * and returns its dims and size in bytes. Throws EnvironmentError naming the file (`name`).
 */
function parseIdxHeader(bytes: Uint8Array, name: string): { dims: number[]; headerSize: number } {
  if (bytes.length < 4) throw corruptIdx(name, `only ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw corruptIdx(name, 'bad magic number (first two bytes must be 0)');
  if (bytes[2] !== UBYTE) {
    throw corruptIdx(name, `value type 0x${bytes[2].toString(16).padStart(2, '0')} is not 0x08 (unsigned byte)`);
  }
  const ndims = bytes[3];
  if (ndims === 0) throw corruptIdx(name, 'zero dimensions');
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) throw corruptIdx(name, `header needs ${headerSize} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { dims, headerSize };
}

function corruptIdx(name: string, why: string): EnvironmentError {
  return new EnvironmentError(`${name} is not a valid IDX file: ${why}`);
}

/**
 * Decodes an uncompressed IDX byte array. `name` (the file) is only used in error messages.
 * Throws EnvironmentError naming the file when the header or the length is wrong.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const { dims, headerSize } = parseIdxHeader(bytes, name);
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerSize + size) {
    throw corruptIdx(name, `dims [${dims.join(', ')}] need ${headerSize + size} bytes, file has ${bytes.length}`);
  }
  // A plain Uint8Array view (not a Buffer slice), without copying.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, size) };
}

/** Reads an IDX file, raw or gzipped. Errors (unreadable, bad gzip, bad IDX) name the file. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new EnvironmentError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new EnvironmentError(`${path} is not a valid gzip file: ${(err as Error).message}`);
    }
  }
  return parseIdx(bytes, path);
}

/**
 * The dimensions in an IDX file's header, raw or gzipped, reading only the first bytes (for
 * checks before a run, without loading the data). Errors name the file.
 */
export async function readIdxDims(path: string): Promise<number[]> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const head = async (stream: NodeJS.ReadableStream, want: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let have = 0;
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      have += (chunk as Buffer).length;
      if (have >= want) break;
    }
    return Buffer.concat(chunks);
  };
  let bytes: Buffer;
  try {
    const first = await head(createReadStream(path, { start: 0, end: 1 }), 2);
    const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    const raw = createReadStream(path);
    const stream = gz ? raw.pipe(createGunzip()) : raw;
    try {
      bytes = await head(stream, 4 + 4 * 255);
    } finally {
      raw.destroy();
      if (stream !== raw) (stream as ReturnType<typeof createGunzip>).destroy();
    }
  } catch (err) {
    throw new EnvironmentError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseIdxHeader(bytes, path).dims;
}

/** A located IDX file: its path, size in bytes, and a stamp that changes when the file does. */
export interface IdxFile {
  path: string;
  size: number;
  stamp: string;
}

/** The IDX file `name` in `dir`: the raw file when there, else `name.gz`; undefined when neither is. */
export async function locateIdxFile(dir: string, name: string): Promise<IdxFile | undefined> {
  for (const path of [join(dir, name), join(dir, `${name}.gz`)]) {
    const info = await stat(path).catch(() => null);
    if (info?.isFile()) return { path, size: info.size, stamp: `${path}:${info.size}:${info.mtimeMs}` };
  }
  return undefined;
}

/**
 * What is wrong with one set of IDX images and its labels, naming the file at fault, or
 * undefined: images must be [count, rows, cols] (or [count, rows, cols, channels] when
 * `channels`), labels [count], one per image.
 */
export function idxPairProblem(
  images: IdxArray, labels: IdxArray, files: { images: string; labels: string }, channels: boolean,
): { file: 'images' | 'labels'; message: string } | undefined {
  const dims = images.dims;
  if (dims.length !== 3 && !(channels && dims.length === 4)) {
    const want = channels ? '[count, rows, cols] or [count, rows, cols, channels]' : '[count, rows, cols]';
    return { file: 'images', message: `expected images ${want} in ${files.images}, got [${dims.join(', ')}]` };
  }
  if (labels.dims.length !== 1) return { file: 'labels', message: `expected labels [count] in ${files.labels}, got [${labels.dims.join(', ')}]` };
  if (labels.dims[0] !== dims[0]) {
    return { file: 'labels', message: `expected ${dims[0]} labels, one per image of ${files.images}, got ${labels.dims[0]} in ${files.labels}` };
  }
  return undefined;
}
