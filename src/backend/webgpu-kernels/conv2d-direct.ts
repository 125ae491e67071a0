/**
 * Conv2D on webgpu for filters with few taps x input channels (KH*KW*C <= 64: a first layer on
 * grey or RGB images). tfjs-webgpu runs every Conv2D as an implicit-im2col matrix product tiled
 * for a long inner dimension; with an inner dimension of 9 (3x3 on one channel) most of each tile
 * is padding, and on lavapipe that product was the slowest kernel of the CNN step after the
 * filter gradient. Here each thread computes one output pixel for up to 4 output channels,
 * reading its KH x KW x C input values once; the filter is read from the cache. Handles NHWC
 * float32 at any stride, padding, rounding and dilation; conv2d-tiled-kernels.ts registers it and
 * sends larger filters to the tiled program.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { vectorWidth } from './filter-grad-plan.ts';
import type { UniformData } from './filter-grad-programs.ts';
import type { WebgpuProgramRunner } from './filter-grad-run.ts';

/** Largest KH*KW*C this kernel takes: its loop is unrolled, one load per tap and channel. */
export const MAX_DIRECT_TAPS = 64;

const WORKGROUP: [number, number, number] = [64, 1, 1];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** x [N,H,W,C], W [KH,KW,C,O] -> y [N,OH,OW,O]; one thread per output pixel and tile of `tileOut` channels. */
export class Conv2DDirectProgram implements WebGPUProgram {
  variableNames = ['x', 'W'];
  outputShape: number[];
  workgroupSize = WORKGROUP;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  uniforms = 'inDims : vec2<i32>, outDims : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, dilations : vec2<i32>, threads : i32,';
  shaderKey: string;
  readonly threads: number;
  private readonly info: tf.backend_util.Conv2DInfo;
  private readonly tileOut: number;

  constructor(info: tf.backend_util.Conv2DInfo) {
    this.info = info;
    this.tileOut = vectorWidth(info.outChannels);
    this.outputShape = info.outShape;
    this.threads = info.batchSize * info.outHeight * info.outWidth * (info.outChannels / this.tileOut);
    this.dispatch = [Math.ceil(this.threads / WORKGROUP[0]), 1, 1];
    // Every constant the WGSL bakes in; tfjs appends ranks and dtypes.
    this.shaderKey = `batchlabConv2DDirect_${info.filterHeight}_${info.filterWidth}_${info.inChannels}_${info.outChannels}_${this.tileOut}`;
  }

  getUserCode(): string {
    const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: o } = this.info;
    const t = this.tileOut;
    const taps = range(kh).flatMap((i) => range(kw).map((j) => {
      const loads = range(c).map((ch) => {
        const wBase = ((i * kw + j) * c + ch) * o;
        return `{ let xv = x[xBase + ${ch}]; ${range(t).map((k) => `a${k} = a${k} + xv * W[${wBase} + co0 + ${k}];`).join(' ')} }`;
      });
      return `
        {
          let iy = iy0 + ${i} * uniforms.dilations.x;
          let ix = ix0 + ${j} * uniforms.dilations.y;
          if (iy >= 0 && iy < uniforms.inDims.x && ix >= 0 && ix < uniforms.inDims.y) {
            let xBase = ((n * uniforms.inDims.x + iy) * uniforms.inDims.y + ix) * ${c};
            ${loads.join('\n            ')}
          }
        }`;
    }));
    return `
    fn main(index : i32) {
      if (index >= uniforms.threads) {
        return;
      }
      let co0 = (index % ${o / t}) * ${t};
      let pixel = index / ${o / t};
      let ox = pixel % uniforms.outDims.y;
      let rest = pixel / uniforms.outDims.y;
      let oy = rest % uniforms.outDims.x;
      let n = rest / uniforms.outDims.x;
      let iy0 = oy * uniforms.strides.x - uniforms.pads.x;
      let ix0 = ox * uniforms.strides.y - uniforms.pads.y;
      ${range(t).map((k) => `var a${k} = 0.0;`).join('\n      ')}
      ${taps.join('')}
      let out = pixel * ${o} + co0;
      ${range(t).map((k) => `result[out + ${k}] = a${k};`).join('\n      ')}
    }
  `;
  }
}

function uniformsOf(p: Conv2DDirectProgram, info: tf.backend_util.Conv2DInfo): UniformData {
  return [
    { type: 'int32', data: [info.inHeight, info.inWidth] },
    { type: 'int32', data: [info.outHeight, info.outWidth] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.dilationHeight, info.dilationWidth] },
    { type: 'int32', data: [p.threads] },
  ];
}

/** Whether a Conv2D with this filter takes the direct program (KH*KW*C <= MAX_DIRECT_TAPS). */
export function fitsDirect(filterShape: number[]): boolean {
  const [kh, kw, c] = filterShape;
  return filterShape.length === 4 && kh! * kw! * c! <= MAX_DIRECT_TAPS;
}

/** x [N,H,W,C] and a filter that fitsDirect (NHWC, float32) -> the convolution, one dispatch. */
export function runConv2dDirect(backend: WebgpuProgramRunner, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const program = new Conv2DDirectProgram(info);
  return backend.runWebGPUProgram(program, [x, filter], 'float32', uniformsOf(program, info));
}
