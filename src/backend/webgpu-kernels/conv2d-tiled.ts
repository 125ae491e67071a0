/**
 * One WebGPU program for a convolution's forward pass and its input gradient (NHWC, float32),
 * each thread computing a register tile: `pixels` output pixels of one row x `channels` output
 * channels (up to 8 x 16). Per filter tap and reduced channel a thread loads `pixels` input
 * values and `channels` filter values and does pixels x channels multiply-adds, so every value
 * read is used several times (tfjs-webgpu's Conv2D product and its Conv2DBackpropInput program read far more
 * per multiply-add at the small channel counts of batchlab's models).
 *
 * - forward: y[n,oy,ox,co] = sum over kh,kw,ci of x[n, oy*sh - top + kh*dh, ox*sw - left + kw*dw, ci]
 *   * W[kh,kw,ci,co]; a tile is `pixels` consecutive output columns.
 * - input gradient: dx[n,iy,ix,ci] = sum over kh,kw,co of dy[n,oy,ox,co] * W[kh,kw,ci,co] where
 *   oy*sh - top + kh*dh = iy and ox*sw - left + kw*dw = ix. A tile is `pixels` columns one stride
 *   apart (ix = (block*pixels + p)*sw + r), so every pixel of a tile meets the same taps.
 *
 * Each output is summed by one thread in a fixed order (no atomics): the same bits every run.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { vectorWidth } from './filter-grad-plan.ts';
import type { FilterGradUniforms, UniformData } from './filter-grad-programs.ts';

export type ConvTileMode = 'forward' | 'input-grad';
/** Activations fused into the forward pass after the bias; others run tfjs's kernel. */
export type TiledActivation = 'linear' | 'relu' | 'relu6';
/** A fused bias: none, one value per output channel, or one value for all. */
export type TiledBias = 'none' | 'channel' | 'one';

const WORKGROUP: [number, number, number] = [64, 1, 1];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The sizes of one tiled convolution (tfjs's Conv2DInfo has them all): the filter gradient's geometry and the counts. */
export interface ConvTileShape extends FilterGradUniforms {
  batchSize: number;
  inChannels: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
}

export interface ConvTilePlan {
  mode: ConvTileMode;
  /** Output pixels per thread (one row). */
  pixels: number;
  /** Output channels per thread. */
  channels: number;
  /** The written tensor's height, width and channels. */
  dstHeight: number;
  dstWidth: number;
  dstChannels: number;
  /** The read image's (x, or dy) height, width, and the channels summed over. */
  srcHeight: number;
  srcWidth: number;
  reduced: number;
  /** Column step inside a tile (1 forward, the column stride for the input gradient). */
  step: number;
  /** Tiles per output row: step x blocks. */
  groups: number;
  threads: number;
}

/** Most pixels a thread's tile holds. */
export const MAX_TILE_PIXELS = 8;
/**
 * Most output channels a thread's tile holds (7 x 16 = 112 accumulators for the CNN's conv2).
 * On lavapipe 16 was as fast as 8 or faster in every interleaved run (conv2 at batch 256:
 * forward 139 ms against 162, input gradient 109 against 131; conv-kernel-bench.ts).
 */
export const MAX_TILE_CHANNELS = 16;

/**
 * Pixels per tile for rows of `columns` tiled columns: all of them when they fit, else the count
 * from 8 down to 4 that leaves the fewest idle pixels in a row's last tile (14 -> 7, 28 -> 7).
 */
export function pixelsFor(columns: number): number {
  if (columns <= MAX_TILE_PIXELS) return Math.max(1, columns);
  let best = MAX_TILE_PIXELS;
  for (let p = MAX_TILE_PIXELS; p >= 4; p--) {
    const waste = (p: number) => Math.ceil(columns / p) * p - columns;
    if (waste(p) < waste(best)) best = p;
  }
  return best;
}

/** The tiling of one convolution; `pixels` and `maxChannels` override the defaults (for measuring). */
export function planConvTile(mode: ConvTileMode, s: ConvTileShape, pixels?: number, maxChannels = MAX_TILE_CHANNELS): ConvTilePlan {
  const fwd = mode === 'forward';
  const dstHeight = fwd ? s.outHeight : s.inHeight;
  const dstWidth = fwd ? s.outWidth : s.inWidth;
  const dstChannels = fwd ? s.outChannels : s.inChannels;
  const step = fwd ? 1 : s.strides[1];
  pixels ??= pixelsFor(Math.ceil(dstWidth / step));
  const blocks = Math.ceil(Math.ceil(dstWidth / step) / pixels);
  const groups = step * blocks;
  const channels = vectorWidth(dstChannels, maxChannels);
  const threads = s.batchSize * dstHeight * groups * (dstChannels / channels);
  return {
    mode, pixels, channels, dstHeight, dstWidth, dstChannels, step, groups, threads,
    srcHeight: fwd ? s.inHeight : s.outHeight,
    srcWidth: fwd ? s.inWidth : s.outWidth,
    reduced: fwd ? s.inChannels : s.outChannels,
  };
}

/** WGSL for the source row of tap row `kh`; `continue`s when the tap misses the image. */
function sourceRow(mode: ConvTileMode): string {
  if (mode === 'forward') {
    return `let sy = row * uniforms.strides.x - uniforms.pads.x + kh * uniforms.dilations.x;
        if (sy < 0 || sy >= uniforms.srcDims.x) { continue; }`;
  }
  return `let ny = row + uniforms.pads.x - kh * uniforms.dilations.x;
        if (ny < 0 || ny % uniforms.strides.x != 0) { continue; }
        let sy = ny / uniforms.strides.x;
        if (sy >= uniforms.srcDims.x) { continue; }`;
}

/**
 * WGSL for pixel p's source column at tap column `kw`, whether it lies inside the image, and the
 * base index of a column clamped inside (read, then dropped by a select, so an Inf or NaN next to
 * the border cannot leak into the sum the way multiplying by a 0/1 mask would).
 */
function sourceColumn(mode: ConvTileMode, p: number, reduced: number): string {
  const col = mode === 'forward'
    ? `let sx${p} = col${p} * uniforms.strides.y - uniforms.pads.y + kw * uniforms.dilations.y;
          let in${p} = sx${p} >= 0 && sx${p} < uniforms.srcDims.y;`
    : `let nx${p} = col${p} + uniforms.pads.y - kw * uniforms.dilations.y;
          let sx${p} = nx${p} / uniforms.strides.y;
          let in${p} = nx${p} >= 0 && nx${p} % uniforms.strides.y == 0 && sx${p} < uniforms.srcDims.y;`;
  return `${col}
          let b${p} = (srcRow + clamp(sx${p}, 0, uniforms.srcDims.y - 1)) * ${reduced};`;
}

/** x [N,H,W,C] or dy [N,OH,OW,O], and W [KH,KW,C,O] -> y [N,OH,OW,O] or dx [N,H,W,C]; optional bias [O]. */
export class Conv2DTiledProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  workgroupSize = WORKGROUP;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  uniforms = 'srcDims : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, dilations : vec2<i32>, threads : i32,';
  shaderKey: string;
  readonly plan: ConvTilePlan;
  private readonly shape: ConvTileShape;
  private readonly bias: TiledBias;
  private readonly activation: TiledActivation;

  constructor(shape: ConvTileShape, plan: ConvTilePlan, bias: TiledBias = 'none', activation: TiledActivation = 'linear') {
    this.shape = shape;
    this.plan = plan;
    this.bias = bias;
    this.activation = activation;
    this.variableNames = bias === 'none' ? ['src', 'W'] : ['src', 'W', 'bias'];
    this.outputShape = [shape.batchSize, plan.dstHeight, plan.dstWidth, plan.dstChannels];
    this.dispatch = [Math.ceil(plan.threads / WORKGROUP[0]), 1, 1];
    // Every constant the WGSL bakes in; tfjs appends ranks and dtypes.
    this.shaderKey = ['batchlabConv2DTiled', plan.mode, shape.filterHeight, shape.filterWidth, shape.inChannels, shape.outChannels,
      plan.pixels, plan.channels, plan.step, plan.groups, plan.dstHeight, plan.dstWidth, bias, activation].join('_');
  }

  getUserCode(): string {
    const { plan, shape } = this;
    const { pixels: P, channels: T, reduced } = plan;
    const fwd = plan.mode === 'forward';
    const px = range(P);
    const ch = range(T);
    // Filter index of (tap, reduced channel j, output channel c0 + k).
    const wIndex = (k: number) => fwd
      ? `wTap + j * ${shape.outChannels} + c0 + ${k}`
      : `wTap + (c0 + ${k}) * ${shape.outChannels} + j`;
    const finish = (v: string, k: number) => {
      const b = this.bias === 'none' ? v : `${v} + bias[${this.bias === 'one' ? '0' : `c0 + ${k}`}]`;
      if (this.activation === 'relu') return `max(${b}, 0.0)`;
      if (this.activation === 'relu6') return `clamp(${b}, 0.0, 6.0)`;
      return b;
    };
    return `
    fn main(index : i32) {
      if (index >= uniforms.threads) {
        return;
      }
      let c0 = (index % ${plan.dstChannels / T}) * ${T};
      let rest = index / ${plan.dstChannels / T};
      let g = rest % ${plan.groups};
      let rest2 = rest / ${plan.groups};
      let row = rest2 % ${plan.dstHeight};
      let n = rest2 / ${plan.dstHeight};
      let block = g / ${plan.step};
      let r = g - block * ${plan.step};
      ${px.map((p) => `let col${p} = (block * ${P} + ${p}) * ${plan.step} + r;`).join('\n      ')}
      ${px.flatMap((p) => ch.map((k) => `var a${p}_${k} = 0.0;`)).join('\n      ')}
      for (var kh = 0; kh < ${shape.filterHeight}; kh = kh + 1) {
        ${sourceRow(plan.mode)}
        let srcRow = (n * uniforms.srcDims.x + sy) * uniforms.srcDims.y;
        for (var kw = 0; kw < ${shape.filterWidth}; kw = kw + 1) {
          ${px.map((p) => sourceColumn(plan.mode, p, reduced)).join('\n          ')}
          let wTap = (kh * ${shape.filterWidth} + kw) * ${shape.inChannels * shape.outChannels};
          for (var j = 0; j < ${reduced}; j = j + 1) {
            ${px.map((p) => `let v${p} = select(0.0, src[b${p} + j], in${p});`).join('\n            ')}
            ${ch.map((k) => `let w${k} = W[${wIndex(k)}];`).join('\n            ')}
            ${px.flatMap((p) => ch.map((k) => `a${p}_${k} = a${p}_${k} + v${p} * w${k};`)).join('\n            ')}
          }
        }
      }
      let dstRow = (n * ${plan.dstHeight} + row) * ${plan.dstWidth};
      ${px.map((p) => `if (col${p} < ${plan.dstWidth}) {
        let o = (dstRow + col${p}) * ${plan.dstChannels} + c0;
        ${ch.map((k) => `result[o + ${k}] = ${finish(`a${p}_${k}`, k)};`).join(' ')}
      }`).join('\n      ')}
    }
  `;
  }
}

export function convTileUniforms(shape: ConvTileShape, plan: ConvTilePlan): UniformData {
  return [
    { type: 'int32', data: [plan.srcHeight, plan.srcWidth] },
    { type: 'int32', data: [...shape.strides] },
    { type: 'int32', data: [...shape.pads] },
    { type: 'int32', data: [...shape.dilations] },
    { type: 'int32', data: [plan.threads] },
  ];
}
