/**
 * MaxPoolGrad on webgpu in one dispatch. tfjs-webgpu runs two: a Pool2D program writing each
 * window's argmax position (an int32 tensor of dy's size), then a program that, for each input
 * element, adds the dy of the windows whose recorded position is that element. Here each thread
 * takes one input element, finds for every window covering it that window's argmax from x, and
 * adds the window's dy where the argmax is this element: no position tensor, one program.
 *
 * Same choices as tfjs-webgpu's kernel, so training gives the same bits: a window's maximum is
 * found in row-major order with `>=` (on ties the last position wins; the cpu backend takes the
 * first), a window whose values are all NaN sends its gradient to its first position, and the
 * windows covering an element are added in row-major order (for finite dy; tfjs multiplies every
 * covering window's dy by 0 or 1, so a NaN there reaches the whole window). Where the windows
 * tile x exactly (filter = stride, no padding) one thread per window writes the window's dx,
 * reading x once. Handles NHWC float32 at any filter
 * size, stride, padding and rounding (MaxPoolGrad has no dilation); other dtypes run tfjs's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { gridWorkgroups, runFusedProgram } from './fused-program.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

const WG = 256;

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The pool's geometry, baked into the WGSL as constants (divisions by them become multiplications). */
export interface Geometry {
  channels: number; inHeight: number; inWidth: number; outHeight: number; outWidth: number;
  filterHeight: number; filterWidth: number; strideHeight: number; strideWidth: number; padTop: number; padLeft: number;
}

export function geometryOf(info: tf.backend_util.Conv2DInfo): Geometry {
  return {
    channels: info.inChannels, inHeight: info.inHeight, inWidth: info.inWidth, outHeight: info.outHeight, outWidth: info.outWidth,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** WGSL: the geometry as constants (divisions by them become multiplications). */
function constants(g: Geometry): string {
  const names: [string, number][] = [
    ['C', g.channels], ['inH', g.inHeight], ['inW', g.inWidth], ['outH', g.outHeight], ['outW', g.outWidth],
    ['fH', g.filterHeight], ['fW', g.filterWidth], ['sH', g.strideHeight], ['sW', g.strideWidth], ['pT', g.padTop], ['pL', g.padLeft],
  ];
  return names.map(([name, value]) => `const ${name} = ${value};`).join('\n');
}

/** WGSL: element i of an NHWC tensor of width `w` and height `h` as b, row, col, channel d. */
function coordinates(w: string, h: string, col: string, row: string): string {
  return `let e = i32(i);
    let d = e % C;
    let p = e / C;
    let ${col} = p % ${w};
    let q = p / ${w};
    let ${row} = q % ${h};
    let b = q / ${h};`;
}

/** WGSL: one step of a window's argmax in tfjs-webgpu's order (`>=`: ties go to the last). */
const ARGMAX_STEP = `if (v >= select(v, top, found)) {
          top = v;
          found = true;
          best = wr * fW + wc;
        }`;

/**
 * WGSL. Along each axis an element lies in at most ceil(filter / stride) windows, the last one
 * starting at or before it; the loops run that many times for every thread (the same trip count
 * in every lane) and skip windows outside the output. Inside a window, positions outside x are
 * skipped as tfjs's Pool2D program skips them.
 */
function body(g: Geometry): string {
  const spanH = Math.ceil(g.filterHeight / g.strideHeight);
  const spanW = Math.ceil(g.filterWidth / g.strideWidth);
  return `
${constants(g)}
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    ${coordinates('inW', 'inH', 'xc', 'xr')}
    // The last windows starting at or before (xr, xc).
    let yrLast = min((xr + pT) / sH, outH - 1);
    let ycLast = min((xc + pL) / sW, outW - 1);
    var acc = 0.0;
    for (var ky = ${spanH - 1}; ky >= 0; ky = ky - 1) {
      let yr = yrLast - ky;
      let r0 = yr * sH - pT;
      for (var kx = ${spanW - 1}; kx >= 0; kx = kx - 1) {
        let yc = ycLast - kx;
        let c0 = yc * sW - pL;
        // Window (yr, yc) covers (xr, xc): it exists and reaches this element.
        if (yr >= 0 && yc >= 0 && r0 + fH > xr && c0 + fW > xc) {
          var best = 0;
          var top = 0.0;
          var found = false;
          for (var wr = 0; wr < fH; wr = wr + 1) {
            let r = r0 + wr;
            for (var wc = 0; wc < fW; wc = wc + 1) {
              let c = c0 + wc;
              if (r >= 0 && r < inH && c >= 0 && c < inW) {
                let v = x[((b * inH + r) * inW + c) * C + d];
                ${ARGMAX_STEP}
              }
            }
          }
          if (best == (xr - r0) * fW + (xc - c0)) {
            acc = acc + dy[((b * outH + yr) * outW + yc) * C + d];
          }
        }
      }
    }
    dx[i] = acc;
  }
}`;
}

/** Whether the windows tile x exactly: filter = stride, no padding, every element in one window. */
export function windowsTile(g: Geometry): boolean {
  return g.filterHeight === g.strideHeight && g.filterWidth === g.strideWidth && g.padTop === 0 && g.padLeft === 0
    && g.outHeight * g.strideHeight === g.inHeight && g.outWidth * g.strideWidth === g.inWidth;
}

/**
 * WGSL for windows that tile x (the CNN's 2x2 stride-2 pools on even sizes): one thread per
 * window and channel finds the argmax once and writes the window's dx, dy at the argmax and 0
 * elsewhere (what the general body computes for one covering window), reading x once instead of
 * once per element of the window.
 */
function tilingBody(g: Geometry): string {
  return `
${constants(g)}
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    ${coordinates('outW', 'outH', 'yc', 'yr')}
    let corner = ((b * inH + yr * fH) * inW + yc * fW) * C + d;
    var best = 0;
    var top = 0.0;
    var found = false;
    for (var wr = 0; wr < fH; wr = wr + 1) {
      for (var wc = 0; wc < fW; wc = wc + 1) {
        let v = x[corner + (wr * inW + wc) * C];
        ${ARGMAX_STEP}
      }
    }
    let g = dy[i];
    for (var wr = 0; wr < fH; wr = wr + 1) {
      for (var wc = 0; wc < fW; wc = wc + 1) {
        dx[corner + (wr * inW + wc) * C] = select(0.0, g, best == wr * fW + wc);
      }
    }
  }
}`;
}

export function registerMaxPoolGrad(): void {
  replaceWebgpuKernel('MaxPoolGrad', (stock) => (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const attrs = args.attrs as unknown as Attrs;
    const size = tf.util.sizeFromShape(input.shape);
    if (input.shape.length !== 4 || input.dtype !== 'float32' || dy.dtype !== 'float32' || size === 0 || tf.util.sizeFromShape(dy.shape) === 0) {
      return stock(args);
    }
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const geometry = geometryOf(info);
    const tiles = windowsTile(geometry);
    const threads = tiles ? tf.util.sizeFromShape(dy.shape) : size;
    const [dx] = runFusedProgram(args.backend, {
      name: 'BatchlabMaxPoolGrad', key: `${tiles}_${Object.values(geometry).join('_')}`, workgroupSize: WG, workgroups: gridWorkgroups(threads, WG),
      inputs: [['dy', dy], ['x', input]],
      outputs: [['dx', input.shape.slice()]],
      uniforms: [['size', 'u32', threads]],
      body: () => (tiles ? tilingBody(geometry) : body(geometry)),
    });
    return dx!;
  });
}
