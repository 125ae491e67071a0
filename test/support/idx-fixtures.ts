/** Writes small IDX files for tests, encoded here independently of the reader. */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/** IDX bytes for unsigned-byte `values` of shape `dims`. */
export function encodeIdx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

/** Writes `bytes` to `path`, gzipped when `gz`. */
export async function writeIdxFile(path: string, bytes: Uint8Array, gz: boolean): Promise<void> {
  await writeFile(path, gz ? gzipSync(bytes) : bytes);
}
