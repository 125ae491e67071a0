/**
 * A run's checkpoint on disk: `<runDir>/checkpoint.bin`, one file replaced atomically (written to a
 * temporary file, fsynced, renamed, folder fsynced), so a crash at any moment leaves either the
 * previous checkpoint or the new one. Every checkpoint file access of batchlab is in this module.
 *
 * Layout (format 2; format 1 also held every curve row and is refused, so its run restarts):
 *   bytes 0-7    "BLCKPT01"
 *   bytes 8-11   uint32 LE: length L of the JSON header
 *   next L bytes JSON: { format: 2, runId, step, random, curveLength, sha256, blobs, state }, where
 *                curveLength is curve.csv's length in bytes at the checkpoint and every typed
 *                array of `state` is replaced by { "$blob": i } and blobs[i] = { dtype, offset, length }
 *                (offset in bytes from the start of the binary section, length in elements);
 *                non-finite numbers are written as { "$num": "NaN" | "Infinity" | "-Infinity" }
 *   the rest     binary section: the typed arrays' bytes, little-endian, one after another;
 *                `sha256` is its SHA-256, checked on reading
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { runPaths } from './layout.ts';
import type { LoopCheckpoint } from '../train/checkpoint-state.ts';

const MAGIC = 'BLCKPT01';
const FORMAT = 2;

/** What a run keeps at a checkpoint: the loop's state and the state of the run's Math.random. */
export interface StoredCheckpoint {
  runId: string;
  /** seedrandom's ARC4 state (JSON), or null when the run's Math.random was not seeded. */
  random: unknown;
  /**
   * curve.csv's length in bytes at the checkpoint (its header and the rows up to the state's
   * step): a resumed run cuts the file back to it. The rows are not in the checkpoint, so its
   * size does not grow with the run.
   */
  curveLength: number;
  state: LoopCheckpoint;
}

/** A checkpoint file that exists but cannot be used (torn, corrupt, another format or run); the run restarts. */
export class CheckpointUnreadableError extends EnvironmentError {
  override name = 'CheckpointUnreadableError';
}

type Blob = Float32Array | Int32Array;
interface BlobInfo { dtype: 'float32' | 'int32'; offset: number; length: number }

export const checkpointFileOf = (runDir: string) => runPaths(runDir).checkpoint;
/** The checkpoint's file name, for matching it and its temporary files in a run folder. */
const FILE = basename(runPaths('.').checkpoint);

let tmpCounter = 0;

/**
 * Writes the checkpoint atomically and durably. Temporary names use the pid and a counter, never
 * Math.random: the run's dropout masks draw from Math.random, and a write must not shift them.
 */
export async function writeCheckpoint(runDir: string, ckpt: StoredCheckpoint): Promise<void> {
  const blobs: Blob[] = [];
  const infos: BlobInfo[] = [];
  let offset = 0;
  const state = JSON.stringify(ckpt.state, function replacer(this: unknown, _key, value: unknown) {
    if (value instanceof Float32Array || value instanceof Int32Array) {
      infos.push({ dtype: value instanceof Float32Array ? 'float32' : 'int32', offset, length: value.length });
      blobs.push(value);
      offset += value.byteLength;
      return { $blob: blobs.length - 1 };
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const body = Buffer.concat(blobs.map((b) => toLittleEndianBytes(b)));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const header = Buffer.from(
    `{"format":${FORMAT},"runId":${JSON.stringify(ckpt.runId)},"step":${ckpt.state.step},`
    + `"random":${JSON.stringify(ckpt.random ?? null)},"curveLength":${ckpt.curveLength},"sha256":"${sha256}","blobs":${JSON.stringify(infos)},"state":${state}}`,
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const file = checkpointFileOf(runDir);
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, header, body]));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncFolder(runDir);
}

/**
 * The run's checkpoint, or null when it has none. Throws CheckpointUnreadableError when the file
 * exists but is not a whole checkpoint of `runId`.
 */
export async function readCheckpoint(runDir: string, runId: string): Promise<StoredCheckpoint | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(checkpointFileOf(runDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const bad = (why: string) => new CheckpointUnreadableError(`${checkpointFileOf(runDir)}: ${why}`);
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw bad('not a batchlab checkpoint');
  const headerEnd = 12 + bytes.readUInt32LE(8);
  if (headerEnd > bytes.length) throw bad('truncated header');
  const text = bytes.toString('utf8', 12, headerEnd);
  let header: { format: number; runId: string; random: unknown; curveLength: unknown; sha256: string; blobs: BlobInfo[] };
  try {
    header = JSON.parse(text) as typeof header;
  } catch {
    throw bad('unreadable header');
  }
  if (header.format !== FORMAT) throw bad(`format ${header.format}, expected ${FORMAT}`);
  if (header.runId !== runId) throw bad(`checkpoint of run ${header.runId}, expected ${runId}`);
  const { curveLength } = header;
  if (typeof curveLength !== 'number' || !Number.isSafeInteger(curveLength) || curveLength < 0) throw bad('no curve length');
  const body = bytes.subarray(headerEnd);
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) throw bad('binary section does not match its checksum');
  const arrays = header.blobs.map((b) => fromLittleEndianBytes(body, b));
  // Parsed again now that the arrays exist, putting them in place of their { $blob } stand-ins.
  const parsed = JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      if (typeof o.$blob === 'number' && Object.keys(o).length === 1) return arrays[o.$blob];
      if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
    }
    return value;
  }) as { state: LoopCheckpoint };
  return { runId, random: header.random, curveLength, state: parsed.state };
}

/** Removes the run's checkpoint and any temporary file a killed write left behind. */
export async function removeCheckpoint(runDir: string): Promise<void> {
  await removeMatching(runDir, (n) => n === FILE || isTemp(n));
}

/** Removes the temporary files of checkpoint writes that a kill interrupted (call with no write in flight). */
export async function removeCheckpointTemps(runDir: string): Promise<void> {
  await removeMatching(runDir, isTemp);
}

const isTemp = (name: string) => name.startsWith(`${FILE}.`) && name.endsWith('.tmp');

async function removeMatching(dir: string, match: (name: string) => boolean): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter(match).map((n) => rm(join(dir, n), { force: true })));
}

async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the rename is then as durable as they allow.
  } finally {
    await fh.close();
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function toLittleEndianBytes(b: Blob): Buffer {
  const bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return LITTLE_ENDIAN ? bytes : Buffer.from(bytes).swap32();
}

function fromLittleEndianBytes(body: Buffer, info: BlobInfo): Blob {
  const byteLength = info.length * 4;
  if (info.offset + byteLength > body.length) throw new CheckpointUnreadableError('checkpoint blob outside the file');
  // A copy: aligned, and independent of the file's buffer.
  const bytes = Buffer.from(body.subarray(info.offset, info.offset + byteLength));
  if (!LITTLE_ENDIAN) bytes.swap32();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + byteLength);
  return info.dtype === 'float32' ? new Float32Array(buffer) : new Int32Array(buffer);
}
