/**
 * Pure rewrites of a tfjs-layers topology (the Keras-style JSON of model.json's `modelTopology`,
 * snake_case keys, as tfjs's model.save and the tfjs converter write it) before batchlab builds
 * it:
 *   - every initializer gets a seed derived from the run's seed, so the same seed gives the same
 *     weights;
 *   - each BatchNormalization layer becomes what model.norm says (batchlab's BatchNorm or
 *     GhostBatchNorm, GroupNorm, LayerNormalization, or an identity; the last three with the
 *     built-in models' epsilon, NORM_EPSILON);
 *   - a softmax on the model's output is removed: batchlab's loss takes logits;
 *   - what batchlab cannot train is refused, naming the layer: classes tfjs-layers does not
 *     know, regularizers and constraints (the training loop adds no layer losses and applies no
 *     constraints), stateful layers, BatchNormalization it cannot swap, and outputs squashed by
 *     anything but softmax.
 */
import type { Issue } from '../../errors.ts';
import { NORM_EPSILON } from '../batch-norm-settings.ts';
import { makeSeeder } from '../seeds.ts';
import type { NormOptions } from '../types.ts';

/** A layer as the JSON holds it. */
export interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown;
}

/** What building the unchanged topology told about each BatchNormalization layer: its input's rank and channels. */
export interface NormSite {
  rank: number;
  channels: number;
}

export interface RewriteOptions {
  norm: NormOptions;
  seed: number;
  /** Names of the layers whose output is the model's output. */
  outputLayers: string[];
  /** BatchNormalization layers by name (from the unchanged model). */
  normSites: Map<string, NormSite>;
  /** Class names tfjs-layers (with batchlab's layers) can build. */
  knownClasses: ReadonlySet<string>;
  /** The spec field that names the model's file, for issues. */
  path: string;
}

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);
const UNKNOWN_CLASS = 'a class tfjs-layers does not know (a custom layer: build the model in a module, model: { name: module }, and register the class there)';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The layers of a model's JSON config: `config.layers` (Functional, new Sequential) or `config` itself (old Sequential). */
export function layersOf(model: LayerJson): LayerJson[] {
  const { config } = model as unknown as { config: unknown };
  if (Array.isArray(config)) return config as LayerJson[];
  if (isObject(config) && Array.isArray(config.layers)) return config.layers as LayerJson[];
  return [];
}

/** Every layer of `topology`, nested models' layers included, depth first in file order. */
function allLayers(topology: LayerJson): LayerJson[] {
  return layersOf(topology).flatMap((layer) => [layer, ...(MODEL_CLASSES.has(layer.class_name) ? allLayers(layer) : [])]);
}

const layerName = (layer: LayerJson) => String(layer.config?.name ?? layer.name ?? '?');

/** The issue refusing `layer`, at the spec field `path`. */
const layerIssue = (path: string, layer: LayerJson, why: string): Issue => ({ path, message: `layer ${JSON.stringify(layerName(layer))} (${layer.class_name}): ${why}` });

/**
 * The layers of `topology` whose class tfjs-layers cannot build (`knownClasses` lacks it), as
 * issues: checked before the unchanged topology is built, which they would make fail.
 */
export function unknownClassIssues(topology: LayerJson, knownClasses: ReadonlySet<string>, path: string): Issue[] {
  return allLayers(topology)
    .filter((layer) => !MODEL_CLASSES.has(layer.class_name) && !knownClasses.has(layer.class_name))
    .map((layer) => layerIssue(path, layer, UNKNOWN_CLASS));
}

/**
 * A copy of `topology` rewritten as described above, or the issues that refuse it. Initializer
 * seeds come from makeSeeder(opts.seed) in file order, so more than its 1,000 seeded
 * initializers throw its UsageError.
 */
export function rewriteTopology(topology: LayerJson, opts: RewriteOptions): { topology?: LayerJson; issues: Issue[] } {
  const copy = structuredClone(topology);
  const issues: Issue[] = [];
  const refuse = (layer: LayerJson, why: string) => issues.push(layerIssue(opts.path, layer, why));
  const seeds = makeSeeder(opts.seed);
  const seedInitializers = (config: Json) => {
    for (const [key, value] of Object.entries(config)) {
      if (key.endsWith('initializer') && isObject(value) && isObject(value.config)) value.config = { ...value.config, seed: seeds.next() };
    }
  };
  const visit = (model: LayerJson) => {
    const layers = layersOf(model);
    layers.forEach((layer, i) => {
      if (MODEL_CLASSES.has(layer.class_name)) {
        visit(layer);
        return;
      }
      if (!opts.knownClasses.has(layer.class_name)) {
        refuse(layer, UNKNOWN_CLASS);
        return;
      }
      const config = layer.config ?? {};
      for (const [key, value] of Object.entries(config)) {
        if (key.endsWith('regularizer') && value != null) refuse(layer, `${key} is set: batchlab's training loop adds no layer losses (use optimizer.weightDecay for L2)`);
        if (key.endsWith('constraint') && value != null) refuse(layer, `${key} is set: batchlab's optimizers apply no weight constraints`);
      }
      if (config.stateful === true) refuse(layer, 'stateful: batchlab trains on shuffled, independent batches');
      seedInitializers(config);
      if (layer.class_name === 'BatchNormalization') {
        const swapped = swapNorm(layer, opts, refuse);
        if (swapped) layers[i] = swapped;
      }
      if (opts.outputLayers.includes(layerName(layer))) {
        const out = linearOutput(layers[i], refuse);
        if (out) layers[i] = out;
      }
    });
  };
  visit(copy);
  return issues.length ? { issues } : { topology: copy, issues };
}

/** The layer a BatchNormalization becomes, or undefined (refused) when it cannot be swapped. */
function swapNorm(layer: LayerJson, opts: RewriteOptions, refuse: (layer: LayerJson, why: string) => void): LayerJson | undefined {
  const config = layer.config;
  const name = layerName(layer);
  const site = opts.normSites.get(name);
  if (!site) {
    refuse(layer, 'its input shape is unknown');
    return undefined;
  }
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
  if (axis.length !== 1 || !(axis[0] === -1 || axis[0] === site.rank - 1)) {
    refuse(layer, `normalises axis ${JSON.stringify(config.axis)}; batchlab's norm layers normalise the last (channel) axis only`);
    return undefined;
  }
  if (config.center === false || config.scale === false) {
    refuse(layer, "center or scale is off; batchlab's norm layers learn both beta and gamma");
    return undefined;
  }
  const { norm } = opts;
  const keep = { name, trainable: config.trainable ?? true };
  switch (norm.norm) {
    case 'batch': {
      const momentum = norm.bnMomentum ?? (typeof config.momentum === 'number' ? config.momentum : undefined);
      const epsilon = norm.bnEpsilon ?? (typeof config.epsilon === 'number' ? config.epsilon : undefined);
      const settings = { ...keep, ...(momentum !== undefined ? { momentum } : {}), ...(epsilon !== undefined ? { epsilon } : {}) };
      return norm.ghostBatchSize === undefined
        ? { ...layer, class_name: 'BatchlabBatchNorm', config: settings }
        : { ...layer, class_name: 'GhostBatchNorm', config: { ...settings, ghost_batch_size: norm.ghostBatchSize } };
    }
    case 'group':
      if (site.channels % norm.groups !== 0) {
        refuse(layer, `has ${site.channels} channels, which model.groups = ${norm.groups} does not divide`);
        return undefined;
      }
      return { ...layer, class_name: 'GroupNorm', config: { ...keep, groups: norm.groups, epsilon: NORM_EPSILON } };
    case 'layer':
      return site.rank === 2
        ? { ...layer, class_name: 'LayerNormalization', config: { ...keep, axis: -1, epsilon: NORM_EPSILON } }
        : { ...layer, class_name: 'GroupNorm', config: { ...keep, groups: 1, epsilon: NORM_EPSILON } };
    case 'none':
      return { ...layer, class_name: 'Activation', config: { ...keep, activation: 'linear' } };
  }
}

/** An output layer made to give logits: a softmax removed; any other squashing refused. */
function linearOutput(layer: LayerJson, refuse: (layer: LayerJson, why: string) => void): LayerJson | undefined {
  const config = layer.config ?? {};
  if (layer.class_name === 'Softmax') return { ...layer, class_name: 'Activation', config: { name: layerName(layer), activation: 'linear' } };
  const activation = config.activation;
  if (activation === undefined || activation === null || activation === 'linear') return undefined;
  if (activation === 'softmax') return { ...layer, config: { ...config, activation: 'linear' } };
  refuse(layer, `the model's output has activation ${JSON.stringify(activation)}; batchlab's loss takes logits (a linear or softmax output)`);
  return undefined;
}
