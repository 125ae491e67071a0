/**
 * The user's own model, in either form:
 *   - `layers`: a tfjs-layers model.json (tfjs's model.save, or the tfjs converter's output for
 *     a Keras model), weights initialised from the run's seed or, with `weights: load`, read
 *     from its weight shards;
 *   - `module`: a JavaScript/TypeScript module whose default export (or `build` export) is a
 *     builder `({ tf, inputShape, numClasses, seed, initializers, options }) => tf.LayersModel`
 *     (or a promise of one). This runs the user's code in batchlab's process.
 * Either way the model's topology goes through rewriteTopology (seeded initializers, norm layers
 * swapped, softmax output removed, untrainable layers refused) and is built from it, so a
 * module's model is trained exactly as a model.json with the same layers would be.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Issue } from '../../errors.ts';
import { makeSeeder } from '../seeds.ts';
import type { UserModelConfig } from '../types.ts';
import { layersOf, rewriteTopology, unknownClassIssues, type LayerJson, type NormSite } from './rewrite-topology.ts';
// The norm layers the rewrite swaps in must be registered before a topology names them.
import '../batch-norm.ts';
import '../ghost-batch-norm.ts';
import '../group-norm.ts';

/** What the module's builder receives. */
export interface BuilderArgs {
  /** batchlab's tfjs: build with this one, not an import of your own, or batchlab cannot train the model. */
  tf: typeof tf;
  /** One example's shape: [d] for vectors, [height, width, channels] for images. */
  inputShape: number[];
  /** Outputs the model must have (linear logits or a softmax, which batchlab removes). */
  numClasses: number;
  /** The run's seed. */
  seed: number;
  /** Seeded initializers (he(), glorot()); every initializer is reseeded from the run's seed anyway. */
  initializers: ReturnType<typeof makeSeeder>;
  /** The spec's model.options. */
  options: Record<string, unknown>;
}

export type ModelBuilder = (args: BuilderArgs) => tf.LayersModel | Promise<tf.LayersModel>;

const PATH = 'model.path';
const fail = (message: string): UsageError => new UsageError('cannot use the model', [{ path: PATH, message }]);

/** The JSON of a model.json file: its topology and weight manifest. */
interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

async function readModelJson(file: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (err) {
    throw fail(`expected a readable model.json, got ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null) throw fail(`${file}: expected a JSON object with modelTopology`);
  const model = json as ModelJson;
  // A bare topology (model.toJSON()) is accepted as well as model.json's { modelTopology, ... }.
  const topology = 'modelTopology' in model ? model.modelTopology : json;
  const t = topology as { model_config?: unknown; class_name?: unknown };
  if (typeof t !== 'object' || t === null) throw fail(`${file}: expected modelTopology to be a tfjs-layers model (class_name and config)`);
  // Keras-era converters nest the model under model_config.
  const inner = (t.model_config ?? t) as { class_name?: unknown };
  if (typeof inner.class_name !== 'string') throw fail(`${file}: expected modelTopology to be a tfjs-layers model (class_name and config); a graph model (the converter's tfjs_graph_model format) cannot be trained`);
  return { modelTopology: inner, weightsManifest: model.weightsManifest };
}

/** The weight shards named by `manifest`, decoded: name -> tensor (the caller disposes them). */
async function readShards(file: string, manifest: ModelJson['weightsManifest']): Promise<tf.NamedTensorMap> {
  if (!manifest?.length) throw fail(`${file} names no weight shards (weightsManifest), so weights: load has nothing to load`);
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    for (const shard of group.paths) {
      const path = resolve(dirname(resolve(file)), shard);
      try {
        parts.push(await readFile(path));
      } catch (err) {
        throw fail(`cannot read the weight shard ${shard} named by ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    specs.push(...group.weights);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    buffer.set(p, at);
    at += p.length;
  }
  try {
    return tf.io.decodeWeights(buffer.buffer, specs);
  } catch (err) {
    throw fail(`the weight shards of ${file} do not match its manifest: ${(err as Error).message}`);
  }
}

/**
 * Imports a model module. A TypeScript one (.ts, .mts, .cts) goes through tsx's tsImport, in the
 * CLI run from its sources and from its bundle alike, whatever "type" its folder's package.json
 * gives: a .ts file there is compiled as CommonJS, whose exports tsImport hands back as the
 * namespace's default, so `export default` arrives one level down and is unwrapped here.
 */
async function importModelModule(url: string): Promise<ModelModule> {
  if (!/\.[cm]?ts$/.test(new URL(url).pathname)) return await import(url) as ModelModule;
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(url, import.meta.url) as ModelModule;
  const inner = mod.default;
  const wrapped = inner !== null && typeof inner === 'object' && ('default' in inner || 'build' in inner);
  return wrapped ? inner as ModelModule : mod;
}

type ModelModule = { default?: unknown; build?: unknown };

/** Selects tfjs's cpu backend, for building user models to check them before any training backend is up. */
export async function selectCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
}

/** Imports the module and calls its builder; returns the built model's topology. */
async function moduleTopology(cfg: Extract<UserModelConfig, { name: 'module' }>, inputShape: number[], numClasses: number, seed: number): Promise<LayerJson> {
  let mod: ModelModule;
  try {
    mod = await importModelModule(pathToFileURL(resolve(cfg.path)).href);
  } catch (err) {
    throw fail(`cannot import ${JSON.stringify(cfg.path)}: ${(err as Error).message}`);
  }
  const build = (typeof mod.default === 'function' ? mod.default : mod.build) as ModelBuilder | undefined;
  if (typeof build !== 'function') throw fail(`expected ${cfg.path} to export a builder function (export default, or export function build)`);
  let model: unknown;
  try {
    model = await build({ tf, inputShape: [...inputShape], numClasses, seed, initializers: makeSeeder(seed), options: structuredClone(cfg.options) });
  } catch (err) {
    throw fail(`the builder in ${cfg.path} threw: ${(err as Error).message}`);
  }
  if (!(model instanceof tf.LayersModel)) {
    throw fail(`expected the builder in ${cfg.path} to return a tf.LayersModel built with the tf it is given, got ${model === null ? 'null' : typeof model === 'object' ? (model as object).constructor?.name ?? 'an object' : typeof model}`);
  }
  try {
    return model.toJSON(null, false) as unknown as LayerJson;
  } finally {
    model.dispose();
  }
}

const knownClasses = (): Set<string> => new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));

/** Every BatchNormalization layer of `model` (nested models included) -> its input's rank and channels. */
function normSites(model: tf.LayersModel): Map<string, NormSite> {
  const sites = new Map<string, NormSite>();
  const walk = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (layer instanceof tf.LayersModel) walk(layer.layers);
      if (layer.getClassName() !== 'BatchNormalization') continue;
      let shape: (number | null)[];
      try {
        shape = (layer.input as tf.SymbolicTensor).shape;
      } catch {
        continue; // A shared layer (several inputs): no single shape; rewriteTopology refuses it.
      }
      sites.set(layer.name, { rank: shape.length, channels: shape[shape.length - 1] ?? 0 });
    }
  };
  walk(model.layers);
  return sites;
}

/** Names of the layers whose output is the model's: a Functional model's output_layers, a Sequential's last layer. */
function outputLayerNames(topology: LayerJson): string[] {
  const outputs = (topology.config as { output_layers?: unknown }).output_layers;
  if (Array.isArray(outputs)) return outputs.map((o) => String(Array.isArray(o) ? o[0] : o));
  const layers = layersOf(topology);
  const last = layers[layers.length - 1];
  return last ? [String(last.config?.name ?? last.name)] : [];
}

async function fromTopology(topology: LayerJson): Promise<tf.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
  } catch (err) {
    throw fail(`tfjs-layers cannot build the model: ${(err as Error).message}`);
  }
}

/** Issues for a model that does not fit the data: one input of the data's shape, one output of numClasses. */
function shapeIssues(model: tf.LayersModel, inputShape: number[], numClasses: number, file: string): Issue[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return [{ path: PATH, message: `expected a model with one input and one output, got ${model.inputs.length} inputs and ${model.outputs.length} outputs in ${file}` }];
  }
  const issues: Issue[] = [];
  const want = model.inputs[0].shape.slice(1);
  if (want.length !== inputShape.length || want.some((d, i) => d !== null && d !== inputShape[i])) {
    issues.push({ path: PATH, message: `the model in ${file} takes inputs of shape [${want.map((d) => d ?? '?').join(', ')}], the data's examples have shape [${inputShape.join(', ')}]` });
  }
  const out = model.outputs[0].shape;
  if (out.length !== 2 || out[1] !== numClasses) {
    issues.push({ path: PATH, message: `the model in ${file} gives outputs of shape [${out.slice(1).map((d) => d ?? '?').join(', ')}], the data has ${numClasses} classes` });
  }
  return issues;
}

/**
 * Builds the user's model for examples of `inputShape` and `numClasses` classes, with weights
 * from `seed` (or the shards, with weights: load). Every problem is a UsageError at model.path
 * (or model.groups), so a spec is refused before any run starts when preflight calls this.
 */
export async function buildUserModel(cfg: UserModelConfig, inputShape: number[], numClasses: number, seed: number): Promise<tf.LayersModel> {
  const source = cfg.name === 'layers' ? await readModelJson(cfg.path) : undefined;
  const topology = cfg.name === 'layers' ? source!.modelTopology as LayerJson : await moduleTopology(cfg, inputShape, numClasses, seed);
  const known = knownClasses();
  const unknown = unknownClassIssues(topology, known, PATH);
  if (unknown.length) throw new UsageError('cannot use the model', unknown);
  const original = await fromTopology(topology);
  let outputLayers: string[];
  let sites: Map<string, NormSite>;
  try {
    const issues = shapeIssues(original, inputShape, numClasses, cfg.path);
    if (issues.length) throw new UsageError('the model does not fit the data', issues);
    outputLayers = outputLayerNames(topology);
    sites = normSites(original);
  } finally {
    original.dispose();
  }
  const rewritten = rewriteTopology(topology, { norm: cfg, seed, outputLayers, normSites: sites, knownClasses: known, path: PATH });
  if (!rewritten.topology) throw new UsageError('cannot train the model', rewritten.issues);
  const model = await fromTopology(rewritten.topology);
  if (cfg.name === 'layers' && cfg.weights === 'load') {
    try {
      await loadShardWeights(model, cfg.path, source!.weightsManifest);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  return model;
}

/** Writes the shards' values into `model`'s weights, matched by name; a missing or misshapen weight is refused. */
async function loadShardWeights(model: tf.LayersModel, file: string, manifest: ModelJson['weightsManifest']): Promise<void> {
  const values = await readShards(file, manifest);
  try {
    const problems: string[] = [];
    for (const w of model.weights) {
      const value = values[w.originalName];
      if (!value) problems.push(`${w.originalName} is missing`);
      else if (!tf.util.arraysEqual(value.shape, w.shape as number[])) problems.push(`${w.originalName} has shape [${value.shape}], the model's is [${w.shape}]`);
    }
    if (problems.length) throw fail(`the weight shards of ${file} do not fit the model: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
    for (const w of model.weights) w.write(values[w.originalName]);
  } finally {
    tf.dispose(Object.values(values));
  }
}
