/**
 * The small data files of experiments/examples/: one synthetic image task ("shapes": a horizontal
 * bar, a vertical bar or a square on a noisy background, 3 classes) written in each format
 * batchlab reads: CSV, .npy, .npz, an IDX folder and a folder of PNG/JPEG images by class.
 * Deterministic: the same bytes on every run. Regenerate with
 *   node bin/run-ts.mjs scripts/examples/example-data.ts [folder]     (default experiments/examples/data)
 * The encoders here write the formats byte by byte (PNG and JPEG through pngjs and jpeg-js).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createRng, type Rng } from '../../src/core/prng.ts';

export const SHAPE_CLASSES = ['bar-horizontal', 'bar-vertical', 'square'] as const;
/** Side of the images in the array formats; the image folders hold IMAGE_FILE_SIDE images, resized on reading. */
export const SIDE = 12;
export const IMAGE_FILE_SIDE = 16;
export const TRAIN_PER_CLASS = 80;
export const TEST_PER_CLASS = 20;

/** `perClass` images of each class, side x side uint8, classes interleaved; labels 0..2. */
export function makeShapes(perClass: number, side: number, seed: number): { pixels: Uint8Array; labels: Uint8Array } {
  const rng = createRng(seed);
  const n = perClass * SHAPE_CLASSES.length;
  const pixels = new Uint8Array(n * side * side);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % SHAPE_CLASSES.length;
    labels[i] = label;
    const img = pixels.subarray(i * side * side, (i + 1) * side * side);
    for (let p = 0; p < img.length; p++) img[p] = rng.int(60);
    drawShape(img, side, label, rng);
  }
  return { pixels, labels };
}

function drawShape(img: Uint8Array, side: number, label: number, rng: Rng): void {
  const thick = Math.max(2, Math.round(side / 6));
  const at = rng.int(side - thick + 1);
  const bright = () => 160 + rng.int(96);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const on = label === 0 ? y >= at && y < at + thick
        : label === 1 ? x >= at && x < at + thick
          : false;
      if (on) img[y * side + x] = bright();
    }
  }
  if (label === 2) {
    const s = Math.round(side / 3);
    const y0 = rng.int(side - s + 1);
    const x0 = rng.int(side - s + 1);
    for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) img[y * side + x] = bright();
  }
}

/** An IDX file (the MNIST format) of unsigned bytes: magic [0, 0, 0x08, rank], big-endian sizes, the values. */
export function encodeIdxBytes(dims: number[], values: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 + dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

type NpyDtype = '|u1' | '<i8' | '<f4';

/** An .npy (version 1.0) file of `values` with `shape`, C order. */
export function encodeNpy(dtype: NpyDtype, shape: number[], values: ArrayLike<number>): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64 bytes.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const width = dtype === '|u1' ? 1 : dtype === '<i8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * width);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) {
    if (dtype === '|u1') view.setUint8(i, values[i]);
    else if (dtype === '<i8') view.setBigInt64(8 * i, BigInt(values[i]), true);
    else view.setFloat32(4 * i, values[i], true);
  }
  return out;
}

/** A CSV file: header p0..p{k-1},label, one row per example. */
export function encodeCsv(pixels: Uint8Array, labels: Uint8Array, rowSize: number): string {
  const header = [...Array.from({ length: rowSize }, (_, k) => `p${k}`), 'label'].join(',');
  const rows = Array.from(labels, (label, i) => [...pixels.subarray(i * rowSize, (i + 1) * rowSize), label].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

/** A grey image as PNG (8-bit RGB) or baseline JPEG (quality 95) bytes. */
function encodeImage(grey: Uint8Array, side: number, format: 'png' | 'jpg'): Uint8Array {
  const rgba = new Uint8Array(side * side * 4);
  for (let p = 0; p < side * side; p++) rgba.set([grey[p], grey[p], grey[p], 255], 4 * p);
  if (format === 'jpg') return jpeg.encode({ data: rgba, width: side, height: side }, 95).data;
  const png = new PNG({ width: side, height: side, colorType: 2, inputColorType: 6 });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 6 });
}

/** Writes every format of the shapes task under `root` (removed first). */
export async function writeExampleData(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  const train = makeShapes(TRAIN_PER_CLASS, SIDE, 1);
  const test = makeShapes(TEST_PER_CLASS, SIDE, 2);
  const files: Record<string, Uint8Array | string> = {};
  const rowSize = SIDE * SIDE;
  // CSV: train and test in one file; batchlab splits it.
  files['shapes.csv'] = encodeCsv(Uint8Array.from([...train.pixels, ...test.pixels]), Uint8Array.from([...train.labels, ...test.labels]), rowSize);
  // .npy: images [N, 12, 12] uint8, labels int64.
  const npy = {
    x: encodeNpy('|u1', [train.labels.length, SIDE, SIDE], train.pixels),
    y: encodeNpy('<i8', [train.labels.length], train.labels),
    x_test: encodeNpy('|u1', [test.labels.length, SIDE, SIDE], test.pixels),
    y_test: encodeNpy('<i8', [test.labels.length], test.labels),
  };
  for (const [name, bytes] of Object.entries(npy)) files[`npy/${name}.npy`] = bytes;
  // .npz: the Keras names, deflated as numpy.savez_compressed does.
  files['shapes.npz'] = zipSync({
    'x_train.npy': npy.x, 'y_train.npy': npy.y, 'x_test.npy': npy.x_test, 'y_test.npy': npy.y_test,
  }, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
  // IDX: the MNIST layout, gzipped.
  files['idx/train-images-idx3-ubyte.gz'] = gzipSync(encodeIdxBytes([train.labels.length, SIDE, SIDE], train.pixels));
  files['idx/train-labels-idx1-ubyte.gz'] = gzipSync(encodeIdxBytes([train.labels.length], train.labels));
  files['idx/t10k-images-idx3-ubyte.gz'] = gzipSync(encodeIdxBytes([test.labels.length, SIDE, SIDE], test.pixels));
  files['idx/t10k-labels-idx1-ubyte.gz'] = gzipSync(encodeIdxBytes([test.labels.length], test.labels));
  // Images: larger files, every third one a JPEG, resized by batchlab on reading.
  for (const [part, perClass, seed] of [['train', TRAIN_PER_CLASS, 3], ['test', TEST_PER_CLASS, 4]] as const) {
    const set = makeShapes(perClass, IMAGE_FILE_SIDE, seed);
    const size = IMAGE_FILE_SIDE * IMAGE_FILE_SIDE;
    set.labels.forEach((label, i) => {
      const format = i % 3 === 2 ? 'jpg' : 'png';
      const name = `images/${part}/${SHAPE_CLASSES[label]}/${String(i).padStart(3, '0')}.${format}`;
      files[name] = encodeImage(set.pixels.subarray(i * size, (i + 1) * size), IMAGE_FILE_SIDE, format);
    });
  }
  for (const [name, data] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(resolve(path, '..'), { recursive: true });
    await writeFile(path, data);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeExampleData(resolve(process.argv[2] ?? 'experiments/examples/data'));
}
