/**
 * The hash a file dataset's run ids include (data.hash): SHA-256 over every file the dataset
 * reads, each as its role (which field, or which image of which class folder), size in bytes and
 * SHA-256 of its content, in a fixed order. Filled in when the spec is read, as model.hash is, so
 * replacing a data file under the same path gives new run ids and a resumed sweep does not skip
 * runs done on the old file. A file that cannot be found enters as missing: reading the data
 * (preflight) reports it with its field, as it refuses a file too large to hold, which is not read
 * here. Files named by a sweep axis or an arm are hashed per run configuration when the sweep is
 * planned (runner/input-hashes.ts).
 * Built-in datasets have no hash, so their run ids are unchanged.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { FileDataSpec, Spec } from '../../config/schema.ts';
import { isFileData } from '../../config/schema.ts';
import { UsageError } from '../../errors.ts';
import { locateIdxFile } from '../idx.ts';
import { maxDataBytes } from './file-arrays.ts';
import { listImages } from './read-images.ts';

/** A file the dataset reads: its role in the listing and its absolute path (undefined when not found). */
type Role = [role: string, path: string | undefined];


/** Every image of an images folder by class folder and name; a folder that cannot be listed is one missing entry. */
async function imageRoles(field: 'data.dir' | 'data.testDir', dir: string): Promise<Role[]> {
  try {
    const { files } = await listImages(field, dir);
    return files.map(({ file }) => [`${field}:${relative(dir, file)}`, resolve(file)]);
  } catch (err) {
    if (err instanceof UsageError) return [[field, undefined]];
    throw err;
  }
}

/** The files `cfg` reads, in the order they are hashed. */
async function dataFiles(cfg: FileDataSpec): Promise<Role[]> {
  const given = (role: string, path: string | undefined): Role[] => (path === undefined ? [] : [[role, resolve(path)]]);
  switch (cfg.name) {
    case 'csv':
      return [...given('data.path', cfg.path), ...given('data.testPath', cfg.testPath)];
    case 'npy':
      return [...given('data.x', cfg.x), ...given('data.y', cfg.y), ...given('data.testX', cfg.testX), ...given('data.testY', cfg.testY)];
    case 'npz':
      return given('data.path', cfg.path);
    case 'idx': {
      const keys = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
      const found = await Promise.all(keys.map((key) => locateIdxFile(resolve(cfg.dir), cfg.files[key])));
      return keys.map((key, i) => [`data.files.${key}`, found[i]?.path]);
    }
    case 'images':
      return [...await imageRoles('data.dir', cfg.dir), ...(cfg.testDir === undefined ? [] : await imageRoles('data.testDir', cfg.testDir))];
  }
}

// A file is hashed once per process while its size and modification time stay the same.
const digests = new Map<string, Promise<string>>();

/**
 * `size sha256` of the file at `path`; `missing` when it is not a readable file, `size too-large`
 * when it is larger than data may be (file-arrays.ts maxDataBytes: reading the data refuses it,
 * and hashing it would read gigabytes first).
 */
async function digestOf(path: string | undefined): Promise<string> {
  const info = path === undefined ? null : await stat(path).catch(() => null);
  if (!path || !info?.isFile()) return 'missing';
  if (info.size > maxDataBytes()) return `${info.size} too-large`;
  const key = `${path}:${info.size}:${info.mtimeMs}`;
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = new Promise<string>((done, fail) => {
      const hash = createHash('sha256');
      createReadStream(path).on('error', fail).on('data', (chunk) => hash.update(chunk)).on('end', () => done(`${info.size} ${hash.digest('hex')}`));
    }).catch(() => 'missing');
    digests.set(key, digest);
  }
  return digest;
}

/** SHA-256 (hex) of the listing `role size sha256` (or `role missing`), one line per file `cfg` reads. */
export async function hashDataFiles(cfg: FileDataSpec): Promise<string> {
  const files = await dataFiles(cfg);
  const lines = await Promise.all(files.map(async ([role, path]) => `${role} ${await digestOf(path)}\n`));
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/** `spec` with data.hash filled in for a file dataset; a given hash that differs is refused. */
export async function withDataHash(spec: Spec): Promise<Spec> {
  if (!isFileData(spec.data)) return spec;
  const hash = await hashDataFiles(spec.data);
  if (spec.data.hash !== undefined && spec.data.hash !== hash) {
    throw new UsageError('the data changed', [{ path: 'data.hash', message: `expected the SHA-256 of the data files, ${hash}, got ${spec.data.hash} (the files changed since the hash was written)` }]);
  }
  return { ...spec, data: { ...spec.data, hash } as Spec['data'] };
}
