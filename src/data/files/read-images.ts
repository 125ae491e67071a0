/**
 * A folder of images by class: `dir/<class>/<file>.png|.jpg|.jpeg`, class folders sorted by
 * name give labels 0, 1, .... PNG is decoded by pngjs, JPEG by jpeg-js (both pure JavaScript);
 * each image is converted to 1 (ITU-R 601 luma) or 3 (RGB) channels, alpha dropped, and resized
 * with bilinear interpolation (half-pixel centres, as tf.image.resizeBilinear with
 * halfPixelCenters) to height x width. Pixels are divided by 255.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { FileDataSpec } from '../../config/schema.ts';
import { UsageError, type Issue } from '../../errors.ts';
import { throwIssues, tooLarge, type FileArrays, type LabelledArrays } from './file-arrays.ts';

export type ImagesDataConfig = Extract<FileDataSpec, { name: 'images' }>;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const SHOWN = 3;

/** An RGBA image, 8 bits a channel, row-major. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes PNG or JPEG bytes (told apart by their signature, not the name) to RGBA. */
export function decodeImage(bytes: Uint8Array): Rgba {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error('neither a PNG nor a JPEG file (by its first bytes)');
}

/** `img` as float [height * width * channels] in 0..255: RGB, or luma 0.299 R + 0.587 G + 0.114 B. */
export function toChannels(img: Rgba, channels: 1 | 3): Float32Array {
  const pixels = img.width * img.height;
  const out = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const r = img.data[4 * p];
    const g = img.data[4 * p + 1];
    const b = img.data[4 * p + 2];
    if (channels === 3) {
      out[3 * p] = r;
      out[3 * p + 1] = g;
      out[3 * p + 2] = b;
    } else {
      // Integer weights so that a grey pixel (r = g = b) keeps its exact value.
      out[p] = (299 * r + 587 * g + 114 * b) / 1000;
    }
  }
  return out;
}

/**
 * Bilinear resize of `src` [h, w, c] to [outH, outW, c] with half-pixel centres: output pixel
 * (y, x) samples the source at ((y + 0.5) * h / outH - 0.5, ...), clamped to the edges.
 * The same size returns a copy.
 */
export function resizeBilinear(src: Float32Array, h: number, w: number, c: number, outH: number, outW: number): Float32Array {
  if (h === outH && w === outW) return src.slice();
  const out = new Float32Array(outH * outW * c);
  const axis = (i: number, inSize: number, outSize: number) => {
    const at = Math.max(0, (i + 0.5) * (inSize / outSize) - 0.5);
    const lo = Math.min(Math.floor(at), inSize - 1);
    return { lo, hi: Math.min(lo + 1, inSize - 1), t: at - lo };
  };
  for (let y = 0; y < outH; y++) {
    const ay = axis(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const ax = axis(x, w, outW);
      for (let k = 0; k < c; k++) {
        const v = (yy: number, xx: number) => src[(yy * w + xx) * c + k];
        const top = v(ay.lo, ax.lo) + (v(ay.lo, ax.hi) - v(ay.lo, ax.lo)) * ax.t;
        const bottom = v(ay.hi, ax.lo) + (v(ay.hi, ax.hi) - v(ay.hi, ax.lo)) * ax.t;
        out[(y * outW + x) * c + k] = top + (bottom - top) * ay.t;
      }
    }
  }
  return out;
}

interface Listing {
  classes: string[];
  files: { file: string; label: number }[];
}

/** Class folders of `dir` (sorted) and their image files; other entries are issues at `path`. */
export async function listImages(path: 'data.dir' | 'data.testDir', dir: string): Promise<Listing> {
  const full = resolve(dir);
  const entries = await readdir(full, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => err);
  if (entries instanceof Error) {
    const why = entries.code === 'ENOENT' ? 'no such folder' : entries.code === 'ENOTDIR' ? 'not a folder' : entries.message;
    throw new UsageError('no image folder', [{ path, message: `expected a folder with one sub-folder of images per class, got ${JSON.stringify(dir)} (${why})` }]);
  }
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length === 0) {
    throw new UsageError('no class folders', [{ path, message: `expected one sub-folder of images per class in ${JSON.stringify(dir)}, found none` }]);
  }
  const files: Listing['files'] = [];
  const strays: string[] = [];
  for (const [label, name] of classes.entries()) {
    const inside = (await readdir(join(full, name), { withFileTypes: true })).filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of inside) {
      if (e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) files.push({ file: join(dir, name, e.name), label });
      else strays.push(join(dir, name, e.name));
    }
  }
  if (strays.length > 0) {
    throw new UsageError('not images', [{
      path, message: `expected only .png, .jpg or .jpeg files in the class folders, got ${strays.slice(0, SHOWN).join(', ')}${strays.length > SHOWN ? ` and ${strays.length - SHOWN} more` : ''}`,
    }]);
  }
  return { classes, files };
}

/** Decodes and resizes every listed image; undecodable files are issues at `path`. */
async function readPart(path: string, listing: Listing, cfg: ImagesDataConfig): Promise<LabelledArrays> {
  const size = cfg.height * cfg.width * cfg.channels;
  const big = tooLarge(path, `${listing.files.length} images of ${cfg.height}x${cfg.width}x${cfg.channels} as float32`, listing.files.length * size * 4);
  if (big) throw new UsageError('data too large', [big]);
  const x = new Float32Array(listing.files.length * size);
  const labels = new Int32Array(listing.files.length);
  const bad: string[] = [];
  for (const [i, { file, label }] of listing.files.entries()) {
    try {
      const img = decodeImage(await readFile(resolve(file)));
      x.set(resizeBilinear(toChannels(img, cfg.channels), img.height, img.width, cfg.channels, cfg.height, cfg.width), i * size);
    } catch (err) {
      bad.push(`${file} (${(err as Error).message})`);
    }
    labels[i] = label;
  }
  if (bad.length > 0) {
    throw new UsageError('bad images', [{ path, message: `expected PNG or JPEG images, could not decode ${bad.slice(0, SHOWN).join(', ')}${bad.length > SHOWN ? ` and ${bad.length - SHOWN} more` : ''}` }]);
  }
  return { x, labels, labelSource: { path, file: 'the class folders' } };
}

/** The images of `dir` (and `testDir`); throws one UsageError with every problem. */
export async function readImageArrays(cfg: ImagesDataConfig): Promise<FileArrays> {
  const train = await listImages('data.dir', cfg.dir);
  const test = cfg.testDir === undefined ? undefined : await listImages('data.testDir', cfg.testDir);
  const issues: Issue[] = [];
  if (test && test.classes.join('\n') !== train.classes.join('\n')) {
    issues.push({ path: 'data.testDir', message: `expected the class folders of ${cfg.dir} (${train.classes.join(', ')}), got ${test.classes.join(', ')}` });
  }
  throwIssues(issues, 'bad image folders');
  return {
    inputShape: [cfg.height, cfg.width, cfg.channels],
    scale: 1 / 255,
    train: await readPart('data.dir', train, cfg),
    test: test && await readPart('data.testDir', test, cfg),
    classes: train.classes.length,
    classNames: train.classes,
  };
}
