/**
 * File datasets read against values written by an independent writer: NumPy (.npy, .npz, CSV
 * through Python's csv module), Python's zlib for PNG, Pillow for JPEG, hand-made IDX bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { FileDataSpec } from '../../config/schema.ts';
import { UsageError } from '../../errors.ts';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { numpyPresent, runPython } from '../../../test/support/numpy.ts';
import { requireSystem } from '../../../test/support/require-system.ts';
import { useTempDir } from '../../../test/support/temp-dir.ts';
import { encodeIdx } from '../../../test/support/idx-fixtures.ts';
import { loadDataset } from '../index.ts';
import { loadFileDataset, planFileSplit, readFileArrays } from './file-dataset.ts';
import { resizeBilinear } from './read-images.ts';

const numpySkipped = requireSystem('python3-numpy', numpyPresent());
const pilSkipped = numpySkipped || requireSystem('python3-pil', (() => {
  try {
    runPython('/tmp', 'import PIL, json; print(json.dumps(1))');
    return true;
  } catch {
    return false;
  }
})());

const tmp = useTempDir('batchlab-files-');

const data = <T extends FileDataSpec['name']>(cfg: Partial<Extract<FileDataSpec, { name: T }>> & { name: T }): Extract<FileDataSpec, { name: T }> =>
  ({ seed: 0, divideBy: 1, ...cfg }) as Extract<FileDataSpec, { name: T }>;

async function thrown(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

const NUMPY_WRITER = `
import json, csv
import numpy as np
rng = np.random.default_rng(7)
x = rng.standard_normal((20, 3)).astype(np.float32)
y = np.array([i % 3 for i in range(20)], dtype=np.int64)
np.save('x.npy', x); np.save('y.npy', y)
img = rng.integers(0, 256, (20, 4, 5)).astype(np.uint8)
np.save('img_f.npy', np.asfortranarray(img.astype(np.float64)))
np.save('img4.npy', rng.integers(0, 256, (20, 4, 4, 2)).astype(np.uint8))
np.save('y_col.npy', y.astype(np.int32).reshape(20, 1))
xt = rng.standard_normal((6, 3)).astype(np.float32); yt = np.array([0, 1, 2, 0, 1, 2], dtype=np.uint8)
np.savez_compressed('z.npz', x_train=x, y_train=y, x_test=xt, y_test=yt)
np.savez('plain.npz', features=img, labels=y.astype(np.int16))
np.save('big_endian.npy', x.astype('>f4'))
np.save('text.npy', np.array(['a', 'b']))
with open('t.csv', 'w', newline='') as f:
    w = csv.writer(f); w.writerow(['f1', 'f2', 'lab', 'f3'])
    for i in range(20): w.writerow([repr(float(x[i, 0])), repr(float(x[i, 1])), int(y[i]), repr(float(x[i, 2]))])
print(json.dumps({'x': x.astype(float).ravel().tolist(), 'y': y.tolist(), 'img': img.astype(float).ravel().tolist(),
  'img4': np.load('img4.npy').astype(float).ravel().tolist(), 'xt': xt.astype(float).ravel().tolist(), 'yt': yt.tolist()}))
`;

interface Written { x: number[]; y: number[]; img: number[]; img4: number[]; xt: number[]; yt: number[] }

describe.skipIf(numpySkipped)('NumPy and CSV files written by NumPy', () => {
  useLeakCheck();
  const write = (): Written => runPython<Written>(tmp.path, NUMPY_WRITER);
  const at = (f: string) => join(tmp.path, f);

  it('reads .npy features and labels exactly, int64 labels and (N, 1) label columns included', async () => {
    const w = write();
    const a = await readFileArrays(data({ name: 'npy', x: at('x.npy'), y: at('y.npy') }));
    expect(a.inputShape).toEqual([3]);
    expect(Array.from(a.train.x)).toEqual(w.x);
    expect(Array.from(a.train.labels)).toEqual(w.y);
    const b = await readFileArrays(data({ name: 'npy', x: at('img4.npy'), y: at('y_col.npy') }));
    expect(b.inputShape).toEqual([4, 4, 2]);
    expect(Array.from(b.train.x)).toEqual(w.img4);
    expect(Array.from(b.train.labels)).toEqual(w.y);
  });

  it('reorders a Fortran-order float64 array to C order and gives [h, w] images one channel', async () => {
    const w = write();
    const a = await readFileArrays(data({ name: 'npy', x: at('img_f.npy'), y: at('y.npy') }));
    expect(a.inputShape).toEqual([4, 5, 1]);
    expect(Array.from(a.train.x)).toEqual(w.img);
  });

  it('reads a compressed .npz by the Keras names and a plain one by given names', async () => {
    const w = write();
    const z = await readFileArrays(data({ name: 'npz', path: at('z.npz'), x: 'x_train', y: 'y_train', testX: 'x_test', testY: 'y_test' }));
    expect(Array.from(z.train.x)).toEqual(w.x);
    expect(Array.from(z.test!.x)).toEqual(w.xt);
    expect(Array.from(z.test!.labels)).toEqual(w.yt);
    const p = await readFileArrays(data({ name: 'npz', path: at('plain.npz'), x: 'features', y: 'labels', testX: 'x_test', testY: 'y_test' }));
    expect(p.test).toBeUndefined();
    expect(Array.from(p.train.x)).toEqual(w.img);
  });

  it('reads CSV columns by name, in the order data.features gives', async () => {
    const w = write();
    const a = await readFileArrays(data({ name: 'csv', path: at('t.csv'), label: 'lab' }));
    expect(a.inputShape).toEqual([3]);
    expect(Array.from(a.train.x)).toEqual(w.x);
    expect(Array.from(a.train.labels)).toEqual(w.y);
    const b = await readFileArrays(data({ name: 'csv', path: at('t.csv'), label: 'lab', features: ['f3', 'f1'] }));
    expect(Array.from(b.train.x)).toEqual(w.x.flatMap((_, i) => (i % 3 === 0 ? [w.x[i + 2], w.x[i]] : [])));
  });

  it('loads seeded stratified subsets whose rows are the files\' rows, scaled', async () => {
    const w = write();
    const cfg = data({ name: 'npz', path: at('z.npz'), x: 'x_train', y: 'y_train', testX: 'x_test', testY: 'y_test', trainSize: 9, divideBy: 2 });
    const arrays = await readFileArrays(cfg);
    const { plan } = planFileSplit(arrays, cfg);
    expect(plan!.train.length).toBe(9);
    expect(plan!.test.length).toBe(6);
    const counts = [0, 0, 0];
    for (const r of plan!.train) counts[w.y[r]]++;
    expect(counts).toEqual([3, 3, 3]);
    const ds = await loadFileDataset(cfg);
    expect(ds.inputShape).toEqual([3]);
    expect(ds.numOutputs).toBe(3);
    const trainX = await ds.trainX.data();
    expect(Array.from(trainX)).toEqual(Array.from(plan!.train).flatMap((r) => w.x.slice(3 * r, 3 * r + 3).map((v) => Math.fround(v * 0.5))));
    expect(Array.from(tf.tidy(() => ds.trainY.argMax(1).dataSync()))).toEqual(Array.from(plan!.train, (r) => w.y[r]));
    ds.dispose();
  });

  it('splits one part into train and test: a fifth for testing when testSize is absent', async () => {
    write();
    const cfg = data({ name: 'npy', x: at('x.npy'), y: at('y.npy') });
    const { plan } = planFileSplit(await readFileArrays(cfg), cfg);
    expect([plan!.train.length, plan!.test.length]).toEqual([16, 4]);
    expect(new Set([...plan!.train, ...plan!.test]).size).toBe(20);
  });

  it('refuses big-endian and text arrays, a missing array and mismatched counts, each at its field', async () => {
    write();
    const be = await thrown(readFileArrays(data({ name: 'npy', x: at('big_endian.npy'), y: at('y.npy') })));
    expect(be.issues[0]).toMatchObject({ path: 'data.x' });
    const text = await thrown(readFileArrays(data({ name: 'npy', x: at('text.npy'), y: at('y.npy') })));
    expect(text.issues[0].message).toMatch(/not a number type/);
    const missing = await thrown(readFileArrays(data({ name: 'npz', path: at('z.npz'), x: 'images', y: 'y_train', testX: 'x_test', testY: 'y_test' })));
    expect(missing.issues[0]).toMatchObject({ path: 'data.x' });
    expect(missing.issues[0].message).toMatch(/"x_train", "y_train", "x_test", "y_test"/);
    const counts = await thrown(readFileArrays(data({ name: 'npy', x: at('x.npy'), y: at('y.npy'), testX: at('x.npy'), testY: at('z.npz') })));
    expect(counts.issues[0]).toMatchObject({ path: 'data.testY' });
  });
});

describe('CSV files (hand-written)', () => {
  it('names the line a bad cell is on, counting blank lines and line breaks inside quoted cells', async () => {
    const lines = ['a,b,label', '1,2,0', '', '3,"4",1', '"5",6,"', '0"', '', '', '7,x,1', '8,9,y'];
    writeFileSync(join(tmp.path, 'blank.csv'), lines.join('\n') + '\n');
    const err = await thrown(readFileArrays(data({ name: 'csv', path: join(tmp.path, 'blank.csv'), label: 'label' })));
    // Lines 5-6 hold one record (its label "\n0" reads as 0); counting records instead of lines would say 5 and 6.
    expect(err.issues[0].message).toBe(`expected finite numbers in ${join(tmp.path, 'blank.csv')}, got line 9, column "b": "x"; line 10, column "label": "y"`);
  });
});

describe('IDX folders (hand-made bytes)', () => {
  it('reads any folder in the MNIST layout under the given names, pixels / 255', async () => {
    const pixels = Uint8Array.from({ length: 6 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const files = { a: encodeIdx([6, 2, 3], pixels), b: encodeIdx([6], [0, 1, 2, 3, 0, 1]), c: encodeIdx([2, 2, 3], pixels.subarray(0, 12)), d: encodeIdx([2], [3, 2]) };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(tmp.path, name), bytes);
    const cfg = data({ name: 'idx', dir: tmp.path, files: { trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd' } });
    const arrays = await readFileArrays(cfg);
    expect(arrays.inputShape).toEqual([2, 3, 1]);
    expect(Array.from(arrays.train.x)).toEqual(Array.from(pixels));
    const { plan } = planFileSplit(arrays, cfg);
    expect(plan!.classes).toBe(4);
    const ds = await loadFileDataset(cfg);
    expect(Array.from(await ds.testX.data())).toEqual(Array.from(pixels.subarray(0, 12), (v) => Math.fround(v * (1 / 255))));
    ds.dispose();
  });

  it('carves a validation split from the train examples (data.validationSize), and refuses one that leaves none', async () => {
    writeFileSync(join(tmp.path, 'a'), encodeIdx([9, 2, 2], Uint8Array.from({ length: 36 }, (_, i) => i)));
    writeFileSync(join(tmp.path, 'b'), encodeIdx([9], [0, 1, 2, 0, 1, 2, 0, 1, 2]));
    const files = { trainImages: 'a', trainLabels: 'b', testImages: 'a', testLabels: 'b' };
    const ds = await loadDataset(data({ name: 'idx', dir: tmp.path, files, validationSize: 3 }));
    expect([ds.trainX.shape[0], ds.valX?.shape[0], ds.testX.shape[0]]).toEqual([6, 3, 9]);
    ds.dispose();
    const cfg = data({ name: 'idx', dir: tmp.path, files, trainSize: 6, validationSize: 6 });
    expect(planFileSplit(await readFileArrays(cfg), cfg).issues[0]).toMatchObject({ path: 'data.validationSize' });
  });

  it('refuses labels out of range for data.classes, naming the labels file', async () => {
    writeFileSync(join(tmp.path, 'a'), encodeIdx([4, 2, 2], new Uint8Array(16)));
    writeFileSync(join(tmp.path, 'b'), encodeIdx([4], [0, 1, 7, 1]));
    const cfg = data({ name: 'idx', dir: tmp.path, classes: 5, files: { trainImages: 'a', trainLabels: 'b', testImages: 'a', testLabels: 'b' } });
    const { issues } = planFileSplit(await readFileArrays(cfg), cfg);
    expect(issues[0]).toMatchObject({ path: 'data.files.trainLabels' });
    expect(issues[0].message).toMatch(/labels in 0\.\.4 .* got 7 at example 2/);
  });
});

/** Python: a PNG encoder from zlib and struct (8-bit RGB, or grey with alpha), independent of pngjs. */
const PNG_WRITER = `
import json, struct, zlib, random
random.seed(3)
def png(path, w, h, channels, color_type, rows):
    raw = b''.join(b'\\x00' + bytes(r) for r in rows)
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', w, h, 8, color_type, 0, 0, 0)
    open(path, 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
out = {}
for cls in ['cat', 'dog']:
    for k in range(3):
        rgb = [[random.randrange(256) for _ in range(5 * 3)] for _ in range(4)]
        png(f'imgs/{cls}/{k}.png', 5, 4, 3, 2, rgb)
        out[f'{cls}/{k}'] = sum(rgb, [])
ga = [[v for x in range(5) for v in (random.randrange(256), 200)] for _ in range(4)]
png('grey/a/0.png', 5, 4, 2, 4, ga)
png('grey/b/0.png', 5, 4, 2, 4, ga)
out['grey'] = [r[2 * x] for r in ga for x in range(5)]
print(json.dumps(out))
`;

describe.skipIf(numpySkipped)('image folders', () => {
  useLeakCheck();

  it('decodes PNGs written by Python\'s zlib exactly, RGB and grey, classes by sorted folder name', async () => {
    for (const d of ['imgs/cat', 'imgs/dog', 'grey/a', 'grey/b']) mkdirSync(join(tmp.path, d), { recursive: true });
    const w = runPython<Record<string, number[]>>(tmp.path, PNG_WRITER);
    const rgb = await readFileArrays(data({ name: 'images', dir: join(tmp.path, 'imgs'), height: 4, width: 5, channels: 3 }));
    expect(rgb.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(rgb.train.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(rgb.train.x)).toEqual(['cat/0', 'cat/1', 'cat/2', 'dog/0', 'dog/1', 'dog/2'].flatMap((k) => w[k]));
    const grey = await readFileArrays(data({ name: 'images', dir: join(tmp.path, 'grey'), height: 4, width: 5, channels: 1 }));
    expect(Array.from((grey.train.x as Float32Array).slice(0, 20))).toEqual(w.grey);
  });

  it.skipIf(pilSkipped)('decodes a grey JPEG written by Pillow to within 2 levels of Pillow\'s own decoding', async () => {
    mkdirSync(join(tmp.path, 'j/a'), { recursive: true });
    mkdirSync(join(tmp.path, 'j/b'), { recursive: true });
    const w = runPython<{ pixels: number[] }>(tmp.path, `
import json, random
from PIL import Image
random.seed(5)
img = Image.new('L', (16, 8))
img.putdata([min(255, 40 + 10 * x + random.randrange(20)) for y in range(8) for x in range(16)])
img.save('j/a/0.jpg', quality=90); img.save('j/b/0.jpg', quality=90)
print(json.dumps({'pixels': list(Image.open('j/a/0.jpg').convert('L').getdata())}))
`);
    const a = await readFileArrays(data({ name: 'images', dir: join(tmp.path, 'j'), height: 8, width: 16, channels: 1 }));
    const got = Array.from((a.train.x as Float32Array).slice(0, 128));
    expect(Math.max(...got.map((v, i) => Math.abs(v - w.pixels[i])))).toBeLessThanOrEqual(2);
  });

  it('resizes as tf.image.resizeBilinear with half-pixel centres does (cpu backend, 1e-4)', async () => {
    const src = Float32Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 53) % 256);
    for (const [h, w] of [[3, 4], [12, 9], [7, 5]]) {
      const ours = resizeBilinear(src, 7, 5, 3, h, w);
      const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(src, [7, 5, 3]), [h, w], false, true).dataSync());
      expect(Math.max(...Array.from(ours, (v, i) => Math.abs(v - ref[i])))).toBeLessThan(1e-4);
    }
  });
});
