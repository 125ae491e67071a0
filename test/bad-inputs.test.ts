/**
 * A corpus of bad inputs (every spec section, CLI flags, result CSVs, result folders), run through
 * the CLI's main entry in-process. Each must exit 2 with a message naming the field or file,
 * print no stack trace, and leave its folder exactly as it was (nothing written).
 */
import { mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { encodeIdx } from './support/idx-fixtures.ts';
import { SUMMARY_COLUMNS } from '../src/results/columns.ts';
import { zipSync } from 'fflate';
import { encodeNpy } from '../scripts/examples/example-data.ts';
import { tempDir } from './support/cli.ts';

type Files = Record<string, string | Uint8Array>;
interface Case {
  name: string;
  files?: Files;
  argv: string[];
  /** Must appear in stderr: the field path, flag or file. */
  names: RegExp;
  env?: Record<string, string>;
  /** Files made this many bytes long after writing (sparse: no disk used), for size limits. */
  sizes?: Record<string, number>;
}

const BASE = 'name: t\ntrain: { steps: 1 }\n';
const SWEEP = `${BASE}sweep: { batchSize: [8, 16], seeds: [1, 2] }\n`;

/** `batchlab run` on the base spec plus a YAML fragment; always with --out inside the case folder. */
const specCase = (name: string, extra: string, names: RegExp): Case => ({
  name,
  files: { 's.yaml': `${extra.startsWith('name:') ? BASE.replace('name: t\n', '') : BASE}${extra}\n` },
  argv: [/^sweep:/m.test(extra) ? 'sweep' : 'run', 's.yaml', '--out', 'out'],
  names,
});
/** `batchlab run` with --set overrides on the base spec. */
const setCase = (name: string, sets: string[], names: RegExp, cmd: 'run' | 'sweep' = 'run'): Case => ({
  name, files: { 's.yaml': cmd === 'sweep' ? SWEEP : BASE }, argv: [cmd, 's.yaml', ...sets.flatMap((s) => ['--set', s]), '--out', 'out'], names,
});

const GOOD_ROW: Record<string, string> = {
  run_id: 'aaaaaaaaaaaa', status: 'completed', batch_size: '16', base_lr: '0.05', lr: '0.05', scaling_rule: 'none', seed: '1',
  steps: '10', epochs: '1', examples_seen: '160', final_train_loss: '0.5', final_train_acc: '0.8', final_test_loss: '0.6',
  final_test_acc: '0.75', gen_gap_loss: '0.1', gen_gap_acc: '0.05', best_test_acc: '0.76', wall_s: '1', samples_per_s: '160', backend: 'cpu',
};
const csv = (rows: Record<string, string>[], columns: readonly string[] = SUMMARY_COLUMNS) =>
  [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
const badRow = (patch: Record<string, string>) => csv([GOOD_ROW, { ...GOOD_ROW, run_id: 'bbbbbbbbbbbb', ...patch }]);
const compareCase = (name: string, summary: string, names: RegExp): Case => ({
  name, files: { 'r/summary.csv': summary }, argv: ['compare', 'r'], names,
});

const SWEEP_JSON = JSON.stringify({ name: 't', spec: { name: 't', train: { steps: 1 } }, axes: [], environment: {} });
const resultsDir = (sweepJson: string, summary = csv([GOOD_ROW])): Files => ({ 'r/sweep.json': sweepJson, 'r/summary.csv': summary });

const laughs = (() => {
  let y = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') {
    y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    prev = n;
  }
  return y;
})();

/** A Fashion-MNIST folder of 20 train and 10 test images of 4x4, as IDX files. */
const FASHION: Files = {
  'fm/train-images-idx3-ubyte': encodeIdx([20, 4, 4], new Uint8Array(320)),
  'fm/train-labels-idx1-ubyte': encodeIdx([20], Uint8Array.from({ length: 20 }, (_, i) => i % 10)),
  'fm/t10k-images-idx3-ubyte': encodeIdx([10, 4, 4], new Uint8Array(160)),
  'fm/t10k-labels-idx1-ubyte': encodeIdx([10], Uint8Array.from({ length: 10 }, (_, i) => i % 10)),
};
const fashionCase = (name: string, data: string, train: string, names: RegExp, files: Files = FASHION): Case => ({
  name, files: { ...files, 's.yaml': `name: t\ndata: ${data}\nmodel: { name: mlp, hidden: [8] }\ntrain: ${train}\n` }, argv: ['run', 's.yaml', '--out', 'out'], names,
});

/** A CSV of 12 examples of 2 features, 3 classes. */
const CSV_OK = `a,b,label\n${Array.from({ length: 12 }, (_, i) => `${i},${i / 2},${i % 3}`).join('\n')}\n`;
const NPY: Files = {
  'x.npy': encodeNpy('<f4', [12, 2], Array.from({ length: 24 }, (_, i) => i / 7)),
  'y.npy': encodeNpy('<i8', [12], Array.from({ length: 12 }, (_, i) => i % 3)),
};
/** `batchlab run` on file data (and a small mlp unless the fragment names a model). */
const fileCase = (name: string, data: string, files: Files, names: RegExp, extra = ''): Case => ({
  name,
  files: { ...files, 's.yaml': `name: t\ndata: ${data}\n${extra.includes('model:') ? '' : 'model: { name: mlp, hidden: [4] }\n'}train: { steps: 1, batchSize: 4 }\n${extra}` },
  argv: [extra.includes('sweep:') ? 'sweep' : 'run', 's.yaml', '--out', 'out'],
  names,
});
const IDX_FILES: Files = {
  'd/train-images-idx3-ubyte': encodeIdx([6, 2, 2], new Uint8Array(24)),
  'd/train-labels-idx1-ubyte': encodeIdx([6], [0, 1, 2, 0, 1, 2]),
  'd/t10k-images-idx3-ubyte': encodeIdx([3, 2, 2], new Uint8Array(12)),
  'd/t10k-labels-idx1-ubyte': encodeIdx([3], [0, 1, 2]),
};

/** A model.json (tfjs-layers topology) of one dense layer on [inputs] features with `units` outputs; `extra` adds to its config. */
const modelJson = (inputs: number, units: number, extra: Record<string, unknown> = {}, manifest: unknown[] = []) => JSON.stringify({
  modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'out', units, batch_input_shape: [null, inputs], activation: 'softmax', ...extra } }] } },
  format: 'layers-model', weightsManifest: manifest,
});
/** `batchlab run` of a user model on the 2-feature, 3-class CSV_OK. */
const modelCase = (name: string, model: string, files: Files, names: RegExp): Case =>
  fileCase(name, '{ name: csv, path: t.csv, label: label }', { 't.csv': CSV_OK, ...files }, names, `model: ${model}\n`);

const CLAIM = '{ id: C1, statement: s, metric: final_test_acc, test: { kind: rank-correlation }, expect: { above: 0 } }';

const CASES: Case[] = [
  // --- the spec file itself
  { name: 'a missing spec file', argv: ['run', 'nope.yaml', '--out', 'out'], names: /nope\.yaml/ },
  { name: 'a spec that is a folder', files: { 'd/x': '' }, argv: ['run', 'd', '--out', 'out'], names: /spec d/ },
  { name: 'a spec that is a list', files: { 's.yaml': '- 1\n- 2\n' }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*a list/ },
  { name: 'a spec that is a number', files: { 's.yaml': '3\n' }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*number/ },
  { name: 'a spec with a YAML syntax error', files: { 's.yaml': 'train: [1, 2\n' }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml/ },
  { name: 'a spec with a duplicate key', files: { 's.yaml': `${BASE}train: { steps: 2 }\n` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*unique/ },
  { name: 'a billion-laughs spec', files: { 's.yaml': `${BASE}${laughs}` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*values once aliases are expanded/ },
  { name: 'a self-referencing alias in a spec', files: { 's.yaml': `${BASE}x: &a [*a]\n` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*contains it/ },
  { name: 'a spec larger than 64 KiB', files: { 's.yaml': `${BASE}# ${'x'.repeat(70_000)}\n` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*64 KiB/ },
  { name: 'a spec nested too deeply', files: { 's.yaml': `x: ${'['.repeat(100)}${']'.repeat(100)}\n` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*nested/ },
  { name: 'a spec with too many aliases', files: { 's.yaml': `${BASE}a: &a 1\nb: [${Array(150).fill('*a').join(', ')}]\n` }, argv: ['run', 's.yaml', '--out', 'out'], names: /s\.yaml.*aliases/ },
  // --- top level
  specCase('a misspelt section', 'modle: {}', /modle: unknown key \(did you mean 'model'\?\)/),
  specCase('arms at the top level', 'arms: [{ name: a }]', /arms: unknown key \(did you mean 'sweep\.arms'\?\)/),
  specCase('seeds at the top level', 'seeds: [1, 2]', /seeds: unknown key \(did you mean 'sweep\.seeds'\?\)/),
  specCase('lr at the top level', 'lr: 0.1', /lr: unknown key \(did you mean 'train\.lr' or 'sweep\.lr'\?\)/),
  specCase('a 300-character name', `name: ${'n'.repeat(300)}`, /name: expected a name of at most 100/),
  specCase('a name with a slash', 'name: a/b', /name: expected a name of letters/),
  specCase('the name ..', "name: '..'", /name: expected a folder name/),
  specCase('an empty name', "name: ''", /name: expected a non-empty string/),
  specCase('a numeric name', 'name: 3', /name: expected a string/),
  specCase('an unknown backend', 'backend: gpu', /backend: expected one of/),
  specCase('a list as backend', 'backend: [cpu]', /backend: expected one of/),
  // --- data
  specCase('an unknown data set', 'data: { name: cifar }', /data\.name: expected a dataset/),
  specCase('data as a string', 'data: mnist', /data/),
  specCase('a zero trainSize', 'data: { name: mnist, trainSize: 0 }', /data\.trainSize: expected a positive integer/),
  specCase('a negative testSize', 'data: { name: mnist, testSize: -5 }', /data\.testSize: expected a positive integer/),
  specCase('a fractional trainSize', 'data: { name: mnist, trainSize: 1.5 }', /data\.trainSize/),
  specCase('a text trainSize', 'data: { name: mnist, trainSize: many }', /data\.trainSize/),
  specCase('mnist sizes over 10k', 'data: { name: mnist, trainSize: 9000, testSize: 2000 }', /data\.trainSize: expected trainSize \+ testSize <= 10000/),
  specCase('an mnist testSize of 20k', 'data: { name: mnist, testSize: 20000 }', /data\.trainSize/),
  specCase('data.dir on mnist', 'data: { name: mnist, dir: /tmp }', /data\.dir: unknown key/),
  specCase('a fractional data seed', 'data: { name: mnist, seed: 0.5 }', /data\.seed: expected an integer/),
  specCase('teacher inputDim 0', 'data: { name: teacher, inputDim: 0 }', /data\.inputDim/),
  specCase('teacher negative noise', 'data: { name: teacher, noise: -1 }', /data\.noise/),
  specCase('teacher hidden text', 'data: { name: teacher, hidden: wide }', /data\.hidden/),
  specCase('blobs with 0 classes', 'data: { name: blobs, classes: 0 }', /data\.classes/),
  specCase('blobs with spread 0', 'data: { name: blobs, spread: 0 }', /data\.spread/),
  specCase('blobs misspelt key', 'data: { name: blobs, clases: 3 }', /data\.clases: unknown key \(did you mean 'classes'\?\)/),
  fashionCase('a Fashion-MNIST dir that does not exist', '{ name: fashion-mnist, dir: nowhere }', '{ steps: 1, batchSize: 4 }', /data\.dir: .*no such folder/),
  fashionCase('a Fashion-MNIST dir without the files', '{ name: fashion-mnist, dir: empty }', '{ steps: 1, batchSize: 4 }', /data\.dir: .*missing train-images-idx3-ubyte/, { 'empty/readme': 'x' }),
  fashionCase('a Fashion-MNIST dir that is a file', '{ name: fashion-mnist, dir: f }', '{ steps: 1, batchSize: 4 }', /data\.dir: .*not a folder/, { f: 'x' }),
  fashionCase('a Fashion-MNIST dir missing one file', '{ name: fashion-mnist, dir: fm }', '{ steps: 1, batchSize: 4 }', /data\.dir: .*missing t10k-labels-idx1-ubyte/,
    Object.fromEntries(Object.entries(FASHION).filter(([k]) => !k.includes('t10k-labels')))),
  fashionCase('a Fashion-MNIST trainSize above the files', '{ name: fashion-mnist, dir: fm, trainSize: 30 }', '{ steps: 1, batchSize: 4 }', /data\.trainSize: expected at most the 20 training images/),
  fashionCase('a Fashion-MNIST testSize above the files', '{ name: fashion-mnist, dir: fm, testSize: 11 }', '{ steps: 1, batchSize: 4 }', /data\.testSize: expected at most the 10 test images/),
  fashionCase('a batch above the Fashion-MNIST files', '{ name: fashion-mnist, dir: fm }', '{ steps: 1, batchSize: 32 }', /train\.batchSize=32: larger than the 20 training examples/),
  fashionCase('a corrupt Fashion-MNIST header', '{ name: fashion-mnist, dir: fm }', '{ steps: 1, batchSize: 4 }', /data\.dir: .*train-images-idx3-ubyte is not a valid IDX file/,
    { ...FASHION, 'fm/train-images-idx3-ubyte': Uint8Array.from([1, 2, 3]) }),
  // --- data from files
  fileCase('a CSV file that does not exist', '{ name: csv, path: none.csv, label: label }', {}, /data\.path: expected a readable file, got "none\.csv" \(no such file\)/),
  fileCase('a CSV path that is a folder', '{ name: csv, path: d, label: label }', { 'd/x': '' }, /data\.path: expected a file, got "d"/),
  fileCase('a CSV without the label column', '{ name: csv, path: t.csv, label: class }', { 't.csv': CSV_OK }, /data\.label: expected a column of t\.csv \("a", "b", "label"\), got "class"/),
  fileCase('a CSV feature column that is missing', '{ name: csv, path: t.csv, label: label, features: [a, c] }', { 't.csv': CSV_OK }, /data\.features\[1\]: expected a column of t\.csv/),
  fileCase('a CSV with a text value', '{ name: csv, path: t.csv, label: label }', { 't.csv': CSV_OK.replace('3,1.5,0', '3,abc,0') }, /data\.path: expected finite numbers in t\.csv, got line 5, column "b": "abc"/),
  fileCase('a CSV with a fractional label', '{ name: csv, path: t.csv, label: label }', { 't.csv': CSV_OK.replace('3,1.5,0', '3,1.5,0.5') }, /data\.label: expected integer class labels >= 0 .* got 0\.5 at example 3/),
  fileCase('a CSV with only a header', '{ name: csv, path: t.csv, label: label }', { 't.csv': 'a,b,label\n' }, /data\.path: expected a header row and at least one example/),
  fileCase('a CSV with ragged rows', '{ name: csv, path: t.csv, label: label }', { 't.csv': `${CSV_OK}1,2\n` }, /data\.path: t\.csv is not valid CSV/),
  fileCase('CSV labels beyond data.classes', '{ name: csv, path: t.csv, label: label, classes: 2 }', { 't.csv': CSV_OK }, /data\.label: expected labels in 0\.\.1 \(data\.classes = 2\), got 2 at example 2/),
  fileCase('a CSV trainSize above the file', '{ name: csv, path: t.csv, label: label, trainSize: 20 }', { 't.csv': CSV_OK }, /data\.trainSize: expected trainSize \+ testSize <= the 12 examples/),
  fileCase('a batch above the CSV examples', '{ name: csv, path: t.csv, label: label }', { 't.csv': CSV_OK }, /sweep\.batchSize\[0\]=16: larger than the 10 training examples/, 'sweep: { batchSize: [16] }\n'),
  fileCase('a cnn on CSV data', '{ name: csv, path: t.csv, label: label }', { 't.csv': CSV_OK }, /model\.name: expected mlp for vector data 'csv'/, 'model: { name: cnn }\n'),
  fileCase('a cnn on vector .npy data', '{ name: npy, x: x.npy, y: y.npy }', NPY, /model\.name: expected mlp for the vector data of npy \(examples of shape \[2\]\)/, 'model: { name: cnn }\n'),
  fileCase('a .npy features file that does not exist', '{ name: npy, x: none.npy, y: y.npy }', NPY, /data\.x: expected a readable file, got "none\.npy"/),
  fileCase('.npy labels of another count', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'y.npy': encodeNpy('<i8', [10], new Array(10).fill(0)) }, /data\.y: expected 12 labels, one per example of x\.npy, got 10 in y\.npy/),
  fileCase('.npy labels that are a matrix', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'y.npy': encodeNpy('<i8', [12, 2], new Array(24).fill(0)) }, /data\.y: expected labels of shape \(N,\) or \(N, 1\)/),
  fileCase('.npy features of rank 5', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'x.npy': encodeNpy('|u1', [12, 1, 1, 1, 2], new Array(24).fill(0)) }, /data\.x: expected features \[N, d\], \[N, height, width\]/),
  fileCase('a truncated .npy file', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'x.npy': (NPY['x.npy'] as Uint8Array).subarray(0, 100) }, /data\.x: x\.npy is not a usable \.npy array/),
  fileCase('a text file as .npy', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'x.npy': 'hello' }, /data\.x: x\.npy is not a usable \.npy array/),
  fileCase('negative .npy labels', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'y.npy': encodeNpy('<i8', [12], [0, 1, 2, -1, 0, 1, 2, 0, 1, 2, 0, 1]) }, /data\.y: expected integer class labels >= 0 in y\.npy, got -1 at example 3/),
  fileCase('testX without testY', '{ name: npy, x: x.npy, y: y.npy, testX: x.npy }', NPY, /data\.testY: expected with data\.testX/),
  { ...fileCase('a .npy file too large for memory', '{ name: npy, x: x.npy, y: y.npy }', { ...NPY, 'x.npy': '' }, /data\.x: x\.npy is 3\.0 GiB; data is held in memory/), sizes: { 'x.npy': 3 * 2 ** 30 } },
  fileCase('an .npz without the named array', '{ name: npz, path: d.npz, x: images }', { 'd.npz': zipSync({ 'x_train.npy': NPY['x.npy'] as Uint8Array, 'y_train.npy': NPY['y.npy'] as Uint8Array }) }, /data\.x: expected an array of d\.npz \(it holds "x_train", "y_train"\), got "images"/),
  fileCase('an .npz that is not a zip', '{ name: npz, path: d.npz }', { 'd.npz': 'not a zip' }, /data\.path: d\.npz is not a readable \.npz \(zip\) archive/),
  fileCase('an IDX folder missing a file', '{ name: idx, dir: d }', Object.fromEntries(Object.entries(IDX_FILES).filter(([k]) => !k.includes('t10k-labels'))), /data\.files\.testLabels: expected a file t10k-labels-idx1-ubyte \(raw or \.gz\) in/),
  fileCase('an IDX folder that does not exist', '{ name: idx, dir: nowhere }', {}, /data\.dir: expected a folder of IDX files, got "nowhere" \(no such folder\)/),
  fileCase('IDX labels of another count', '{ name: idx, dir: d }', { ...IDX_FILES, 'd/train-labels-idx1-ubyte': encodeIdx([5], [0, 1, 2, 0, 1]) }, /data\.files\.trainLabels: expected 6 labels, one per image/),
  fileCase('IDX test images of another size', '{ name: idx, dir: d }', { ...IDX_FILES, 'd/t10k-images-idx3-ubyte': encodeIdx([3, 3, 3], new Uint8Array(27)) }, /data\.files\.testImages: expected images of \[2, 2, 1\]/),
  fileCase('an image folder that does not exist', '{ name: images, dir: nowhere, height: 4, width: 4 }', {}, /data\.dir: expected a folder with one sub-folder of images per class, got "nowhere" \(no such folder\)/),
  fileCase('an image folder without class folders', '{ name: images, dir: d, height: 4, width: 4 }', { 'd/a.png': '' }, /data\.dir: expected one sub-folder of images per class in "d", found none/),
  fileCase('a text file among the images', '{ name: images, dir: d, height: 4, width: 4 }', { 'd/a/x.png': 'png', 'd/b/notes.txt': 'x' }, /data\.dir: expected only \.png, \.jpg or \.jpeg files in the class folders, got d\/b\/notes\.txt/),
  fileCase('an image that does not decode', '{ name: images, dir: d, height: 4, width: 4 }', { 'd/a/x.png': 'png', 'd/b/y.jpg': 'jpg' }, /data\.dir: expected PNG or JPEG images, could not decode d\/a\/x\.png/),
  fileCase('test images with other classes', '{ name: images, dir: d, testDir: e, height: 4, width: 4 }', { 'd/a/x.png': '', 'd/b/x.png': '', 'e/a/x.png': '', 'e/c/x.png': '' }, /data\.testDir: expected the class folders of d \(a, b\), got a, c/),
  specCase('images without a size', 'data: { name: images, dir: d }', /data\.height: expected a positive integer/),
  specCase('images with 2 channels', 'data: { name: images, dir: d, height: 4, width: 4, channels: 2 }', /data\.channels: expected 1 \(grey\) or 3 \(RGB\)/),
  specCase('a CSV without a label', 'data: { name: csv, path: t.csv }', /data\.label: expected a string/),
  specCase('a misspelt CSV key', 'data: { name: csv, path: t.csv, label: y, feature: [a] }', /data\.feature: unknown key \(did you mean 'features'\?\)/),
  // --- the user's own model
  modelCase('a model.json that does not exist', '{ name: layers, path: none.json }', {}, /model\.path: expected a readable model\.json, got "none\.json" \(no such file\)/),
  modelCase('a model.json that is not JSON', '{ name: layers, path: m.json }', { 'm.json': '{ nope' }, /model\.path: m\.json is not valid JSON/),
  modelCase('a graph model', '{ name: layers, path: m.json }', { 'm.json': JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } }) }, /model\.path: .*a graph model .* cannot be trained/),
  modelCase('a model for other inputs', '{ name: layers, path: m.json }', { 'm.json': modelJson(5, 3) }, /model\.path: the model in m\.json takes inputs of shape \[5\], the data's examples have shape \[2\]/),
  modelCase('a model with other outputs', '{ name: layers, path: m.json }', { 'm.json': modelJson(2, 4) }, /model\.path: the model in m\.json gives outputs of shape \[4\], the data has 3 classes/),
  modelCase('a model with a sigmoid output', '{ name: layers, path: m.json }', { 'm.json': modelJson(2, 3, { activation: 'sigmoid' }) }, /model\.path: layer "out" \(Dense\): the model's output has activation "sigmoid"/),
  modelCase('a model with a regularizer', '{ name: layers, path: m.json }', { 'm.json': modelJson(2, 3, { kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } } }) }, /model\.path: layer "out" \(Dense\): kernel_regularizer is set/),
  modelCase('a model with a custom layer', '{ name: layers, path: m.json }', { 'm.json': modelJson(2, 3).replace('"Dense"', '"MyDense"') }, /model\.path: layer "out" \(MyDense\): a class tfjs-layers does not know/),
  modelCase('weights: load with a missing shard', '{ name: layers, path: m.json, weights: load }', { 'm.json': modelJson(2, 3, {}, [{ paths: ['w.bin'], weights: [] }]) }, /model\.path: expected a readable weight shard \(named in m\.json\), got ".*w\.bin" \(no such file\)/),
  modelCase('weights: load without shards', '{ name: layers, path: m.json, weights: load }', { 'm.json': modelJson(2, 3) }, /model\.path: m\.json names no weight shards/),
  modelCase('weights: load with shards of another model', '{ name: layers, path: m.json, weights: load }', { 'm.json': modelJson(2, 3, {}, [{ paths: ['w.bin'], weights: [{ name: 'other/kernel', shape: [2, 3], dtype: 'float32' }] }]), 'w.bin': new Uint8Array(24) }, /model\.path: the weight shards of m\.json do not fit the model: out\/kernel is missing/),
  modelCase('a module that does not exist', '{ name: module, path: none.mjs }', {}, /model\.path: expected a readable module, got "none\.mjs"/),
  modelCase('a module without a builder', '{ name: module, path: m.mjs }', { 'm.mjs': 'export const x = 1;\n' }, /model\.path: expected m\.mjs to export a builder function/),
  modelCase('a module whose builder throws', '{ name: module, path: m.mjs }', { 'm.mjs': 'export default () => { throw new Error("out of memory"); };\n' }, /model\.path: the builder in m\.mjs threw: out of memory/),
  modelCase('a module that returns no model', '{ name: module, path: m.mjs }', { 'm.mjs': 'export default () => 42;\n' }, /model\.path: expected the builder in m\.mjs to return a tf\.LayersModel .*, got number/),
  modelCase('a model hash that does not match', '{ name: layers, path: m.json, hash: abc }', { 'm.json': modelJson(2, 3) }, /model\.hash: expected the SHA-256 of the model's files, [0-9a-f]{64}, got abc/),
  specCase('a user model without a path', 'model: { name: layers }', /model\.path: expected a string/),
  specCase('an unknown weights setting', 'model: { name: layers, path: m.json, weights: pretrained }', /model\.weights: expected one of init \| load/),
  specCase('weights on a module', 'model: { name: module, path: m.mjs, weights: load }', /model\.weights: unknown key/),
  // --- model
  specCase('an unknown model', 'model: { name: vgg }', /model\.name: expected a model/),
  specCase('a zero hidden width', 'model: { name: mlp, hidden: [0] }', /model\.hidden\.0: expected a positive integer/),
  specCase('hidden as text', 'model: { name: mlp, hidden: wide }', /model\.hidden/),
  specCase('an unknown norm', 'model: { name: mlp, norm: batchnorm }', /model\.norm: expected one of/),
  specCase('zero groups', 'model: { name: mlp, norm: group, groups: 0 }', /model\.groups/),
  specCase('groups not dividing mlp widths', 'model: { name: mlp, hidden: [30, 20], norm: group, groups: 4 }', /model\.groups: expected a divisor of every normalised width \(30 channels of mlp\)/),
  specCase('groups not dividing cnn channels', 'model: { name: cnn, channels: [16, 30], norm: group, groups: 4 }', /model\.groups: .*30 channels of cnn/),
  specCase('groups not dividing resnet widths', 'model: { name: resnet, width: 16, norm: group, groups: 5 }', /model\.groups: .*16, 32, 64 channels of resnet/),
  specCase('resnet depth 10', 'model: { name: resnet, depth: 10 }', /model\.depth: expected 6n\+2/),
  specCase('resnet depth 2', 'model: { name: resnet, depth: 2 }', /model\.depth: expected 6n\+2/),
  specCase('resnet depth 0', 'model: { name: resnet, depth: 0 }', /model\.depth: expected a positive integer/),
  specCase('an empty cnn', 'model: { name: cnn, channels: [] }', /model\.channels: expected a non-empty list/),
  specCase('a zero kernel', 'model: { name: cnn, kernelSize: 0 }', /model\.kernelSize/),
  specCase('a cnn on vector data', 'data: { name: teacher }\nmodel: { name: cnn }', /model\.name: expected mlp for vector data/),
  specCase('ghost BN without BN', 'model: { name: mlp, ghostBatchSize: 8 }', /model\.ghostBatchSize/),
  specCase('dropout of 1', 'model: { name: mlp, dropout: 1 }', /model\.dropout/),
  specCase('negative dropout', 'model: { name: mlp, dropout: -0.1 }', /model\.dropout/),
  specCase('an unknown activation', 'model: { name: mlp, activation: swish }', /model\.activation/),
  specCase('an unknown pooling', 'model: { name: cnn, pooling: min }', /model\.pooling/),
  specCase('a misspelt model key', 'model: { name: mlp, hiden: [8] }', /model\.hiden: unknown key \(did you mean 'hidden'\?\)/),
  specCase('channels on an mlp', 'model: { name: mlp, channels: [8] }', /model\.channels: unknown key/),
  // --- optimizer and loss
  specCase('an unknown optimizer', 'optimizer: { name: rmsprop }', /optimizer\.name: expected an optimizer/),
  specCase('momentum 1', 'optimizer: { name: sgd, momentum: 1 }', /optimizer\.momentum/),
  specCase('negative momentum', 'optimizer: { name: sgd, momentum: -0.1 }', /optimizer\.momentum/),
  specCase('nesterov as text', 'optimizer: { name: sgd, nesterov: "yes" }', /optimizer\.nesterov: expected true or false/),
  specCase('adam beta1 of 1', 'optimizer: { name: adam, beta1: 1 }', /optimizer\.beta1/),
  specCase('adam epsilon 0', 'optimizer: { name: adam, epsilon: 0 }', /optimizer\.epsilon/),
  specCase('negative weight decay', 'optimizer: { name: sgd, weightDecay: -1 }', /optimizer\.weightDecay/),
  specCase('beta1 on sgd', 'optimizer: { name: sgd, beta1: 0.9 }', /optimizer\.beta1: unknown key/),
  specCase('an unknown reduction', 'loss: { reduction: median }', /loss\.reduction/),
  specCase('loss as text', 'loss: sum', /loss/),
  // --- train
  setCase('batch size 0', ['train.batchSize=0'], /train\.batchSize: expected a positive integer/),
  setCase('batch size 1.5', ['train.batchSize=1.5'], /train\.batchSize/),
  setCase('batch size as text', ['train.batchSize=big'], /train\.batchSize: expected a positive integer, got "big"/),
  setCase('a batch larger than the training set', ['train.batchSize=9000'], /train\.batchSize=9000: larger than the 8,000 training examples/),
  setCase('a batch larger than a small training set', ['data={ name: mnist, trainSize: 100 }', 'train.batchSize=128'], /train\.batchSize=128: larger than the 100 training examples/),
  setCase('lr 0', ['train.lr=0'], /train\.lr: expected a positive number/),
  setCase('negative lr', ['train.lr=-1'], /train\.lr/),
  setCase('lr as text', ['train.lr=fast'], /train\.lr/),
  setCase('infinite lr', ['train.lr=.inf'], /train\.lr/),
  setCase('negative epochs', ['train.epochs=-1', 'train.steps=null'], /train\.(epochs|steps)/),
  { name: 'no budget', files: { 's.yaml': 'name: t\ntrain: { lr: 0.1 }\n' }, argv: ['run', 's.yaml', '--out', 'out'], names: /train: expected exactly one budget/ },
  setCase('two budgets', ['train.epochs=1'], /train: expected exactly one budget .* got epochs and steps/),
  setCase('fractional steps', ['train.steps=1.5'], /train\.steps/),
  setCase('zero examples', ['train.examples=0'], /train\.examples/),
  setCase('a fractional seed', ['train.seed=1.5'], /train\.seed: expected an integer/),
  setCase('accumulation not dividing the batch', ['train.accumulation=3'], /train\.accumulation: expected a divisor of every batch size/),
  setCase('accumulation 0', ['train.accumulation=0'], /train\.accumulation/),
  setCase('an unknown schedule', ['train.schedule.name=linear'], /train\.schedule\.name/),
  setCase('milestones out of order', ['train.schedule.milestones=[2, 1]'], /train\.schedule\.milestones: expected strictly increasing/),
  setCase('a zero milestone', ['train.schedule.milestones=[0]'], /train\.schedule\.milestones\.0/),
  setCase('gamma 0', ['train.schedule.gamma=0'], /train\.schedule\.gamma/),
  setCase('negative warmup', ['train.schedule.warmupEpochs=-1'], /train\.schedule\.warmupEpochs/),
  setCase('negative minLr', ['train.schedule.minLr=-1'], /train\.schedule\.minLr/),
  setCase('batch schedule factor 0', ['train.batchSchedule.factor=0'], /train\.batchSchedule\.factor/),
  setCase('batch schedule milestones descending', ['train.batchSchedule.milestones=[3, 1]'], /train\.batchSchedule\.milestones/),
  setCase('negative evalEvery', ['train.evalEvery=-1'], /train\.evalEvery/),
  setCase('fractional logEvery', ['train.logEvery=1.5'], /train\.logEvery/),
  setCase('evalBatchSize 0', ['train.evalBatchSize=0'], /train\.evalBatchSize/),
  setCase('divergenceFactor 0', ['train.divergenceFactor=0'], /train\.divergenceFactor/),
  setCase('noise scale small >= big', ['train.noiseScale={ smallBatch: 64, bigBatch: 32 }'], /train\.noiseScale\.bigBatch: expected more than smallBatch/),
  setCase('noise scale bigBatch above the training set', ['train.noiseScale={ bigBatch: 9000 }'], /train\.noiseScale\.bigBatch: expected at most the 8,000 training examples/),
  setCase('noise scale every 0', ['train.noiseScale={ every: 0 }'], /train\.noiseScale\.every/),
  setCase('grad variance samples 0', ['train.gradVariance={ samples: 0 }'], /train\.gradVariance\.samples/),
  setCase('grad variance unknown key', ['train.gradVariance={ sample: 3 }'], /train\.gradVariance\.sample: unknown key/),
  setCase('a misspelt train key', ['train.epoch=1'], /train\.epoch: unknown key \(did you mean 'epochs'\?\)/),
  setCase('train as a number', ['train=3'], /train: expected a map of keys/),
  // --- sweep
  specCase('an empty batch list', 'sweep: { batchSize: [] }', /sweep\.batchSize: expected a non-empty list/),
  specCase('no batch list', 'sweep: { seeds: [1] }', /sweep\.batchSize/),
  specCase('duplicate batch sizes', 'sweep: { batchSize: [16, 32, 16] }', /sweep\.batchSize\[2\]: expected each value once, got 16 again \(already sweep\.batchSize\[0\]\)/),
  specCase('a zero batch size in the sweep', 'sweep: { batchSize: [0] }', /sweep\.batchSize\.0/),
  specCase('a text batch list', 'sweep: { batchSize: big }', /sweep\.batchSize/),
  specCase('a swept batch above the training set', 'sweep: { batchSize: [16, 64, 256, 8192] }', /sweep\.batchSize\[3\]=8192: larger than the 8,000 training examples/),
  specCase('two swept batches above a small training set', 'data: { name: mnist, trainSize: 100 }\nsweep: { batchSize: [16, 128, 256] }', /sweep\.batchSize\[1\]=128: larger[\s\S]*sweep\.batchSize\[2\]=256: larger/),
  specCase('duplicate base LRs', 'sweep: { batchSize: [16], lr: [0.1, 0.1] }', /sweep\.lr\[1\]: expected each value once/),
  specCase('an empty LR list', 'sweep: { batchSize: [16], lr: [] }', /sweep\.lr/),
  specCase('a negative LR in the sweep', 'sweep: { batchSize: [16], lr: [-0.1] }', /sweep\.lr\.0/),
  specCase('an unknown scaling rule', 'sweep: { batchSize: [16], scaling: [cube] }', /sweep\.scaling\.0: expected one of/),
  specCase('duplicate scaling rules', 'sweep: { batchSize: [16], scaling: [none, linear, none] }', /sweep\.scaling\[2\]: expected each value once/),
  specCase('duplicate seeds', 'sweep: { batchSize: [16], seeds: [1, 2, 1] }', /sweep\.seeds\[2\]: expected each value once/),
  specCase('fractional seeds', 'sweep: { batchSize: [16], seeds: [1.5] }', /sweep\.seeds\.0/),
  specCase('referenceBatchSize 0', 'sweep: { batchSize: [16], referenceBatchSize: 0 }', /sweep\.referenceBatchSize/),
  specCase('maxLr 0', 'sweep: { batchSize: [16], maxLr: 0 }', /sweep\.maxLr/),
  specCase('negative sweep warmup', 'sweep: { batchSize: [16], warmupEpochs: -1 }', /sweep\.warmupEpochs/),
  specCase('duplicate axis values', 'sweep: { batchSize: [16], axes: { model.norm: [batch, none, batch] } }', /sweep\.axes\.model\.norm\[2\]: expected each value once/),
  specCase('duplicate list axis values', 'sweep: { batchSize: [16], axes: { model.hidden: [[8], [8]] } }', /sweep\.axes\.model\.hidden\[1\]/),
  specCase('an axis that is not a list', 'sweep: { batchSize: [16], axes: { model.norm: batch } }', /sweep\.axes\.model\.norm/),
  specCase('an empty axis', 'sweep: { batchSize: [16], axes: { model.norm: [] } }', /sweep\.axes\.model\.norm/),
  specCase('an axis on a missing path', 'sweep: { batchSize: [16], axes: { model.nope: [1, 2] } }', /model\.nope/),
  specCase('an axis on the sweep\'s own path', 'sweep: { batchSize: [16], axes: { train.batchSize: [8] } }', /train\.batchSize/),
  specCase('an axis value that breaks a rule', 'sweep: { batchSize: [16], axes: { model.norm: [none, bogus] } }', /model\.norm/),
  specCase('an empty arms list', 'sweep: { batchSize: [16], arms: [] }', /sweep\.arms: expected a non-empty list of arms/),
  specCase('duplicate arm names', 'sweep: { batchSize: [16], arms: [{ name: a }, { name: b }, { name: a }] }', /sweep\.arms\[2\]\.name: expected a name no other arm has, got "a" \(already sweep\.arms\[0\]\.name\)/),
  specCase('an arm without a name', 'sweep: { batchSize: [16], arms: [{ set: { train.lr: 0.1 } }] }', /sweep\.arms\.0\.name/),
  specCase('an arm with an unknown key', 'sweep: { batchSize: [16], arms: [{ name: a, sets: {} }] }', /sweep\.arms\.0\.sets: unknown key/),
  specCase('an arm set reaching __proto__', 'sweep: { batchSize: [16], arms: [{ name: a, set: { __proto__.polluted: 1 } }] }', /sweep\.arms\[0\]\.set: '__proto__' is not a config key/),
  specCase('an arm set reaching constructor', 'sweep: { batchSize: [16], arms: [{ name: a, set: { constructor.prototype.x: 1 } }] }', /sweep\.arms\[0\]\.set: 'constructor' is not a config key/),
  specCase('an arm set with a bad path', 'sweep: { batchSize: [16], arms: [{ name: a, set: { "train..lr": 1 } }] }', /sweep\.arms\[0\]\.set: expected dot-separated keys/),
  specCase('an arm with duplicate seeds', 'sweep: { batchSize: [16], arms: [{ name: a, set: { sweep.seeds: [3, 3] } }] }', /sweep\.arms\[0\]\.set\.sweep\.seeds\[1\]/),
  specCase('an arm whose batch is above the training set', 'sweep: { batchSize: [16], arms: [{ name: a }, { name: b, set: { sweep.batchSize: [16, 9000] } }] }',
    /sweep\.arms\[1\]\.set\.sweep\.batchSize\[1\]=9000: larger than the 8,000 training examples/),
  specCase('an arm that sets a bad value', 'sweep: { batchSize: [16], arms: [{ name: a, set: { model.norm: bogus } }] }', /model\.norm: expected one of/),
  specCase('a misspelt sweep key', 'sweep: { batchSize: [16], seed: [1] }', /sweep\.seed: unknown key \(did you mean 'seeds'\?\)/),
  specCase('sweep as a list', 'sweep: [16]', /sweep: expected a map of keys/),
  // --- claim
  specCase('a claim that is text', 'claim: C2', /claim: expected a claim block/),
  specCase('an empty claim list', 'claim: []', /claim: expected a claim block .* got \[\]/),
  specCase('a claim with an unknown test kind', `claim: { id: C1, statement: s, metric: final_test_acc, test: { kind: anova }, expect: { above: 0 } }`, /claim\.test\.kind: expected a test/),
  specCase('a claim with an unknown metric', `claim: { id: C1, statement: s, metric: accuracy, test: { kind: slope }, expect: { above: 0 } }`, /claim\.metric\.name/),
  specCase('a claim without an id', `claim: { statement: s, metric: final_test_acc, test: { kind: slope }, expect: { above: 0 } }`, /claim\.id/),
  specCase('a claim with two expectations', `claim: { id: C1, statement: s, metric: final_test_acc, test: { kind: slope }, expect: { above: 0, below: 1 } }`, /claim\.expect: expected exactly one/),
  specCase('a claim with a misspelt key', `claim: { id: C1, statment: s, metric: final_test_acc, test: { kind: slope }, expect: { above: 0 } }`, /claim\.statment: unknown key/),
  specCase('a claim list with a bad second block', `claim: [${CLAIM}, { id: C2 }]`, /claim\[1\]\.statement/),
  specCase('a claim list holding text', `claim: [${CLAIM}, C3]`, /claim\[1\]: expected a claim block/),
  specCase('a claim with a reversed band', `claim: { id: C1, statement: s, metric: final_test_acc, test: { kind: slope }, expect: { between: [1, -1] } }`, /claim\.expect\.between/),
  // --- --set
  setCase('--set __proto__', ['__proto__.x=1'], /--set: .*'__proto__' is not a config key/),
  setCase('--set constructor.prototype', ['constructor.prototype.x=1'], /--set: .*'constructor' is not a config key/),
  setCase('--set a nested __proto__', ['train.__proto__.x=1'], /--set: .*'__proto__'/),
  setCase('--set prototype', ['train.prototype=1'], /--set: .*'prototype'/),
  setCase('--set a self-referencing alias', ['sweep=&a [*a, *a]'], /--set sweep: .*contains it/, 'sweep'),
  setCase('--set a billion laughs', [`sweep=${laughs.replace(/\n/g, ', ').replace(/^/, '{ ').replace(/, $/, ' }')}`], /--set sweep/, 'sweep'),
  setCase('--set without =', ['noequals'], /--set: expected path=value/),
  setCase('--set without a path', ['=3'], /--set: expected path=value/),
  setCase('--set with an empty key', ['a..b=1'], /--set: expected path=value/),
  setCase('--set with a space in the path', ['train lr=1'], /--set/),
  setCase('--set with bad YAML', ['train.lr=[1'], /--set train\.lr: expected a YAML value/),
  setCase('--set with a duplicate key', ['train={ steps: 1, steps: 2 }'], /--set train: .*unique/),
  setCase('--set of a value larger than 64 KiB', [`name=${'n'.repeat(70_000)}`], /--set name: .*64 KiB/),
  setCase('--set of a long name', [`name=${'n'.repeat(5000)}`], /name: expected a name of at most 100/),
  setCase('--set of an unknown key', ['train.epochz=1'], /train\.epochz: unknown key/),
  // --- other flags of run and sweep
  { name: '--backend gpu', files: { 's.yaml': BASE }, argv: ['run', 's.yaml', '--backend', 'gpu', '--out', 'out'], names: /backend: expected one of/ },
  { name: 'run --out at an existing file', files: { 's.yaml': BASE, f: 'x' }, argv: ['run', 's.yaml', '--out', 'f'], names: /--out: expected a folder, got "f" \(an existing file\)/ },
  { name: 'run --out under a file', files: { 's.yaml': BASE, f: 'x' }, argv: ['run', 's.yaml', '--out', 'f/sub/dir'], names: /--out: expected a folder/ },
  { name: 'sweep --out at an existing file', files: { 's.yaml': SWEEP, f: 'x' }, argv: ['sweep', 's.yaml', '--out', 'f'], names: /--out: expected a folder, got "f"/ },
  { name: 'sweep --dry-run --out at an existing file', files: { 's.yaml': SWEEP, f: 'x' }, argv: ['sweep', 's.yaml', '--dry-run', '--out', 'f'], names: /--out: expected a folder/ },
  { name: 'the default output folder under a file', files: { 's.yaml': SWEEP, results: 'x' }, argv: ['sweep', 's.yaml'], names: /name: expected a folder, got "results\/t"/ },
  { name: 'every problem at once', files: { 's.yaml': `name: t\ndata: { name: mnist, trainSize: 100 }\ntrain: { steps: 1, noiseScale: { bigBatch: 512 } }\nsweep: { batchSize: [16, 128] }\n`, f: 'x' },
    argv: ['sweep', 's.yaml', '--out', 'f'], names: /^(?=[\s\S]*sweep\.batchSize\[1\]=128: larger)(?=[\s\S]*train\.noiseScale\.bigBatch: expected at most the 100)(?=[\s\S]*--out: expected a folder)/ },
  { name: '--shard -1/2', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--shard', '-1/2', '--out', 'out'], names: /--shard: expected 'i\/n'/ },
  { name: '--shard=-1/2', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--shard=-1/2', '--out', 'out'], names: /--shard/ },
  { name: '--shard 2/2', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--shard', '2/2', '--out', 'out'], names: /--shard: expected a shard index in 0\.\.1, got 2/ },
  { name: '--shard 0/0', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--shard', '0/0', '--out', 'out'], names: /--shard: expected a shard count >= 1/ },
  { name: '--shard x', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--shard', 'x', '--out', 'out'], names: /--shard: expected 'i\/n'/ },
  { name: '--shard without a value', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--out', 'out', '--shard'], names: /shard/ },
  { name: 'a Slurm task id beyond the count', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--out', 'out'], names: /env\.SLURM_ARRAY_TASK_ID/,
    env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '2' } },
  { name: 'a Slurm task id without a count', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--out', 'out'], names: /env\.SLURM_ARRAY_TASK_COUNT/,
    env: { SLURM_ARRAY_TASK_ID: '0' } },
  { name: 'a Kubernetes index without a count', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--out', 'out'], names: /env\.BATCHLAB_SHARD_COUNT/,
    env: { JOB_COMPLETION_INDEX: '0' } },
  { name: '--workers 0', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--workers', '0', '--out', 'out'], names: /--workers: expected a positive integer, got 0/ },
  { name: '--workers -1', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--workers', '-1', '--out', 'out'], names: /--workers/ },
  { name: '--workers 1.5', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--workers', '1.5', '--out', 'out'], names: /--workers/ },
  { name: '--workers abc', files: { 's.yaml': SWEEP }, argv: ['sweep', 's.yaml', '--workers', 'abc', '--out', 'out'], names: /--workers/ },
  { name: 'an unknown flag', files: { 's.yaml': BASE }, argv: ['run', 's.yaml', '--epochs', '3', '--out', 'out'], names: /Unknown argument: epochs/ },
  { name: 'an unknown command', argv: ['train', 's.yaml'], names: /Unknown arguments?: train/ },
  { name: 'no command', argv: [], names: /name a command/ },
  { name: 'run without a spec', argv: ['run', '--out', 'out'], names: /missing <spec>: the YAML or JSON spec to run \(see batchlab run --help\)/ },
  { name: 'sweep without a spec', argv: ['sweep', '--workers', '2'], names: /missing <spec>: the YAML or JSON spec with a sweep: section to run \(see batchlab sweep --help\)/ },
  { name: 'report without a folder', argv: ['report', '--findings'], names: /missing <dir>: the sweep results folder .*\(see batchlab report --help\)/ },
  { name: 'verify without a folder', argv: ['verify', '--format', 'json'], names: /missing <dirs\.\.>: sweep results folders .*\(see batchlab verify --help\)/ },
  { name: 'compare without inputs', argv: ['compare', '--metric', 'final_test_acc'], names: /missing <inputs\.\.>: results folders or summary\.csv files .*\(see batchlab compare --help\)/ },
  { name: 'merge without folders', argv: ['merge', '--out', 'm'], names: /missing <dirs\.\.>: the sweep output folders .*\(see batchlab merge --help\)/ },
  { name: 'merge without anything', argv: ['merge'], names: /missing <dirs\.\.>: the sweep output folders .*; missing --out: the folder to write the merged sweep into/ },
  { name: 'a misspelt model key and a cnn on vector data', files: { 's.yaml': `${BASE}model: { name: mlp, hidden: [8] }\n` },
    argv: ['run', 's.yaml', '--set', 'model.name=cnn', '--set', 'data.name=blobs', '--out', 'out'],
    names: /^(?=[\s\S]*model\.hidden: unknown key)(?=[\s\S]*model\.name: expected mlp for vector data 'blobs', got "cnn")/ },
  // --- compare: summary.csv files
  compareCase('a non-numeric batch_size', badRow({ batch_size: 'sixteen' }), /r\/summary\.csv:3: column batch_size: expected a number, got "sixteen"/),
  compareCase('an unknown status', badRow({ status: 'done' }), /r\/summary\.csv:3: column status: expected one of/),
  compareCase('an empty status', badRow({ status: '' }), /r\/summary\.csv:3: column status/),
  compareCase('a non-numeric metric', badRow({ final_test_acc: 'high' }), /r\/summary\.csv:3: column final_test_acc/),
  compareCase('a non-numeric seed', badRow({ seed: 'one' }), /r\/summary\.csv:3: column seed/),
  compareCase('a non-numeric lr', badRow({ lr: '0.1x' }), /r\/summary\.csv:3: column lr/),
  compareCase('an empty run_id', badRow({ run_id: '' }), /r\/summary\.csv:3: column run_id is empty/),
  compareCase('a run_id with a slash', badRow({ run_id: '../x' }), /r\/summary\.csv:3: column run_id: not a plain directory name/),
  compareCase('a missing column', csv([GOOD_ROW], SUMMARY_COLUMNS.filter((c) => c !== 'seed')), /r\/summary\.csv:1: missing column seed/),
  compareCase('missing columns', csv([GOOD_ROW], SUMMARY_COLUMNS.slice(0, 5)), /r\/summary\.csv:1: missing columns/),
  compareCase('a short row', `${SUMMARY_COLUMNS.join(',')}\naaaaaaaaaaaa,completed,16\n`, new RegExp(`r/summary\\.csv:2: expected ${SUMMARY_COLUMNS.length} fields`)),
  compareCase('a long row', `${csv([GOOD_ROW])}${Object.values(GOOD_ROW).join(',')},extra\n`, new RegExp(`r/summary\\.csv:3: expected ${SUMMARY_COLUMNS.length} fields`)),
  compareCase('an unterminated quote', `${csv([GOOD_ROW])}"aaa,completed\n`, /r\/summary\.csv:3: unterminated quoted field/),
  compareCase('text after a closing quote', `${csv([GOOD_ROW])}"a"b,${Object.values(GOOD_ROW).slice(1).join(',')}\n`, /r\/summary\.csv:3: unexpected character/),
  compareCase('an empty summary', '', /r\/summary\.csv:1: empty file/),
  compareCase('a header only with a bad name', 'a,b,c\n', /r\/summary\.csv:1: missing columns/),
  { name: 'compare of a missing folder', argv: ['compare', 'nope'], names: /nope: no such file or directory/ },
  { name: 'compare of a folder without summary.csv', files: { 'r/x': '' }, argv: ['compare', 'r'], names: /r\/summary\.csv: cannot read summary\.csv/ },
  { name: 'compare of a good and a bad summary', files: { 'a/summary.csv': csv([GOOD_ROW]), 'b/summary.csv': badRow({ status: 'ok' }) }, argv: ['compare', 'a', 'b'], names: /b\/summary\.csv:3/ },
  { name: 'compare of a summary.csv path', files: { 'r/summary.csv': badRow({ batch_size: '1e' }) }, argv: ['compare', 'r/summary.csv'], names: /r\/summary\.csv:3: column batch_size/ },
  { name: 'compare --format xml', files: { 'r/summary.csv': csv([GOOD_ROW]) }, argv: ['compare', 'r', '--format', 'xml'], names: /format/ },
  { name: 'compare --fail-on-regression abc', files: { 'r/summary.csv': csv([GOOD_ROW]) }, argv: ['compare', 'r', '--fail-on-regression', 'abc'], names: /fail-on-regression|regression/ },
  // --- merge: result folders
  { name: 'merge of a folder whose sweep.json is null', files: resultsDir('null'), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json: expected a JSON object, got null/ },
  { name: 'merge of a sweep.json list', files: resultsDir('[]'), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json: expected a JSON object/ },
  { name: 'merge of a sweep.json number', files: resultsDir('3'), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json/ },
  { name: 'merge of invalid JSON', files: resultsDir('{'), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json|r is not a sweep output directory/ },
  { name: 'merge of a folder without sweep.json', files: { 'r/x': '' }, argv: ['merge', 'r', '--out', 'm'], names: /r is not a sweep output directory/ },
  { name: 'merge of a missing folder', argv: ['merge', 'nope', '--out', 'm'], names: /nope is not a sweep output directory/ },
  { name: 'merge of a sweep.json without a spec', files: resultsDir(JSON.stringify({ name: 't', axes: [] })), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json: spec: expected a map of keys, got nothing/ },
  { name: 'merge of a sweep.json with a bad spec', files: resultsDir(JSON.stringify({ name: 't', spec: { train: 3 }, axes: [] })), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json: spec\.train: expected a map of keys/ },
  { name: 'merge of a sweep.json without axes', files: resultsDir(JSON.stringify({ name: 't', spec: { train: { steps: 1 } } })), argv: ['merge', 'r', '--out', 'm'], names: /r\/sweep\.json: axes/ },
  { name: 'merge of two different sweeps', files: { ...resultsDir(SWEEP_JSON), 'q/sweep.json': JSON.stringify({ name: 't', spec: { name: 't', train: { steps: 2 } }, axes: [] }) },
    argv: ['merge', 'r', 'q', '--out', 'm'], names: /q holds a different sweep than r/ },
  { name: 'merge --out at an existing file', files: { ...resultsDir(SWEEP_JSON), f: 'x' }, argv: ['merge', 'r', '--out', 'f'], names: /--out: expected a folder, got "f"/ },
  { name: 'merge without --out', files: resultsDir(SWEEP_JSON), argv: ['merge', 'r'], names: /missing --out: the folder to write the merged sweep into \(see batchlab merge --help\)/ },
  // --- report and verify: result folders
  { name: 'report of a folder whose sweep.json is null', files: resultsDir('null'), argv: ['report', 'r'], names: /r\/sweep\.json/ },
  { name: 'report of a folder without sweep.json', files: { 'r/summary.csv': csv([GOOD_ROW]) }, argv: ['report', 'r'], names: /r\/sweep\.json/ },
  { name: 'report of invalid sweep.json', files: resultsDir('{ nope'), argv: ['report', 'r'], names: /r\/sweep\.json: invalid JSON/ },
  { name: 'report of a bad summary row', files: resultsDir(SWEEP_JSON, badRow({ status: 'great' })), argv: ['report', 'r'], names: /r\/summary\.csv:3: column status/ },
  { name: 'report of a bad curve', files: { ...resultsDir(SWEEP_JSON), 'r/runs/aaaaaaaaaaaa/curve.csv': 'step,epoch\n1,x\n' }, argv: ['report', 'r'], names: /r\/runs\/aaaaaaaaaaaa\/curve\.csv:1: missing columns/ },
  { name: 'report of a bad run.json', files: { ...resultsDir(SWEEP_JSON), 'r/runs/aaaaaaaaaaaa/run.json': '{' }, argv: ['report', 'r'], names: /r\/runs\/aaaaaaaaaaaa\/run\.json: invalid JSON/ },
  { name: 'report of a missing folder', argv: ['report', 'nope'], names: /nope/ },
  { name: 'verify of a folder without a claim', files: resultsDir(SWEEP_JSON), argv: ['verify', 'r'], names: /r: sweep\.json spec\.claim/ },
  { name: 'verify of a folder whose sweep.json is null', files: resultsDir('null'), argv: ['verify', 'r'], names: /r/ },
  { name: 'verify --format yaml', files: resultsDir(SWEEP_JSON), argv: ['verify', 'r', '--format', 'yaml'], names: /--format: expected one of table \| json/ },
  { name: 'verify --claim of a missing file', files: resultsDir(SWEEP_JSON), argv: ['verify', 'r', '--claim', 'c.yaml'], names: /c\.yaml: cannot read claim file/ },
  { name: 'verify --claim of a billion laughs', files: { ...resultsDir(SWEEP_JSON), 'c.yaml': laughs }, argv: ['verify', 'r', '--claim', 'c.yaml'], names: /c\.yaml: not valid YAML\/JSON \(more than 100,000 values/ },
  { name: 'verify --claim with an unknown test kind', files: { ...resultsDir(SWEEP_JSON), 'c.yaml': `claim: { id: C1, statement: s, metric: final_test_acc, test: { kind: anova }, expect: { above: 0 } }\n` },
    argv: ['verify', 'r', '--claim', 'c.yaml'], names: /claim\.test\.kind/ },
];

/** Every file under `dir` with its size and modification time, to prove nothing was written. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const s = statSync(p);
      out.push(`${p.slice(dir.length)} ${e.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs}`}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

const root = tempDir('batchlab-bad-inputs-');
const home = process.cwd();
afterAll(() => {
  process.chdir(home);
  rmSync(root, { recursive: true, force: true });
});

describe('bad inputs', () => {
  it('the corpus holds at least 150 cases with distinct names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, i, c] as const))('%s: exit 2, names the field or file, no stack, nothing written', async (_name, i, c) => {
    const dir = join(root, `case-${i}`);
    mkdirSync(dir);
    for (const [file, content] of Object.entries(c.files ?? {})) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    for (const [file, size] of Object.entries(c.sizes ?? {})) truncateSync(join(dir, file), size);
    const before = snapshot(dir);
    const saved = Object.fromEntries(['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'JOB_COMPLETION_INDEX', 'BATCHLAB_SHARD_COUNT']
      .map((k) => [k, process.env[k]]));
    for (const k of Object.keys(saved)) delete process.env[k];
    Object.assign(process.env, c.env ?? {});
    const out: string[] = [];
    const err: string[] = [];
    process.chdir(dir);
    let code: number;
    try {
      code = await main(c.argv, { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false });
    } finally {
      process.chdir(home);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const stderr = err.join('\n');
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(c.names);
    expect(stderr).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
    expect(snapshot(dir), 'nothing written').toEqual(before);
  });
});
