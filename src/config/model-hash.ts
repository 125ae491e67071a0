/**
 * The hash a user model's run ids include (model.hash): SHA-256 over the model file and the
 * weight shards its manifest names, in order (whether or not the spec loads them: an arm may set
 * `model.weights: load`). A missing shard is an error only with `weights: load`. Filled in when the spec is
 * read, so editing the model (or replacing the shards) gives new run ids and a resumed sweep
 * does not skip runs of the old model. A module's local imports (relative paths, followed through
 * every file they import in turn, as esbuild resolves them) are hashed after it, each as its path
 * relative to the module and its bytes; packages (bare names, node_modules) are not, their
 * versions being the lock file's. A module without local imports hashes as its file alone.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { isUserModel, type Spec, type UserModelSpec } from './schema.ts';


async function read(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(resolve(path));
  } catch (err) {
    throw new UsageError('cannot read the model', [{
      path: 'model.path', message: `expected a readable ${what}, got ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    }]);
  }
}

/**
 * The files `entry` imports by relative path, directly or through each other, sorted; none when
 * esbuild cannot read it (building the model reports that with its reason).
 */
async function localImports(entry: string): Promise<string[]> {
  const { build } = await import('esbuild');
  try {
    const result = await build({
      entryPoints: [entry], absWorkingDir: dirname(entry), bundle: true, write: false, metafile: true,
      platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent',
    });
    return Object.keys(result.metafile.inputs).map((p) => resolve(dirname(entry), p)).filter((p) => p !== entry).sort();
  } catch {
    return [];
  }
}

/** SHA-256 (hex) of the model's files; a missing file is a UsageError at model.path. */
export async function hashModelFiles(model: UserModelSpec): Promise<string> {
  const hash = createHash('sha256');
  const main = await read(model.path, model.name === 'layers' ? 'model.json' : 'module');
  hash.update(main);
  if (model.name === 'module') {
    const entry = resolve(model.path);
    for (const file of await localImports(entry)) {
      hash.update(`\0${relative(dirname(entry), file)}\0`);
      hash.update(await read(file, `module (imported by ${model.path})`));
    }
  }
  if (model.name === 'layers') {
    let manifest: { paths?: unknown }[] = [];
    try {
      const json = JSON.parse(main.toString('utf8')) as { weightsManifest?: { paths?: unknown }[] };
      manifest = Array.isArray(json.weightsManifest) ? json.weightsManifest : [];
    } catch {
      // Not JSON: building the model reports it with the reason.
    }
    for (const group of manifest) {
      for (const shard of Array.isArray(group.paths) ? group.paths : []) {
        const path = resolve(dirname(resolve(model.path)), String(shard));
        const bytes = model.weights === 'load' ? await read(path, `weight shard (named in ${model.path})`) : await readFile(path).catch(() => null);
        if (bytes) hash.update(bytes);
      }
    }
  }
  return hash.digest('hex');
}

/** `spec` with model.hash filled in for a user model; a given hash that differs is refused. */
export async function withModelHash(spec: Spec): Promise<Spec> {
  if (!isUserModel(spec.model)) return spec;
  const hash = await hashModelFiles(spec.model);
  if (spec.model.hash !== undefined && spec.model.hash !== hash) {
    throw new UsageError('the model changed', [{ path: 'model.hash', message: `expected the SHA-256 of the model's files, ${hash}, got ${spec.model.hash} (the files changed since the hash was written)` }]);
  }
  return { ...spec, model: { ...spec.model, hash } };
}
