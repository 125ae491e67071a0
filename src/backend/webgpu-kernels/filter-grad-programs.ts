/**
 * The two WebGPU programs of batchlab's filter gradients (see filter-grad-plan.ts): partial sums
 * over chunks of output rows, then the sum of the chunks in order. They are plain objects of
 * tfjs-webgpu's WebGPUProgram shape, run by its backend's runWebGPUProgram, which declares the
 * buffers (`x`, `dy`, `partials`, `result`: arrays of f32) and the uniforms, and calls
 * `main(index)` with the flat thread index.
 *
 * Only types are imported from '@tensorflow/tfjs-backend-webgpu': importing the package registers
 * the backend, which must wait until navigator.gpu exists (webgpu.ts).
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { FilterGradPlan } from './filter-grad-plan.ts';

const WORKGROUP: [number, number, number] = [64, 1, 1];

/** Filter and layout sizes baked into the first stage's WGSL (all are in its shader key). */
export interface FilterGradConstants {
  filterHeight: number;
  filterWidth: number;
  inChannels: number;
  /** conv: output channels; depthwise: the channel multiplier. */
  outChannels: number;
}

/** The first stage's uniforms, in the order its `uniforms` string declares them. */
export interface FilterGradUniforms {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  strides: [number, number];
  /** Padding before the first row and column. */
  pads: [number, number];
  dilations: [number, number];
}

export type UniformData = Array<{ type: 'int32'; data: number[] }>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function flatDispatch(threads: number): { dispatchLayout: { x: number[] }; dispatch: [number, number, number] } {
  return { dispatchLayout: { x: [0] }, dispatch: [Math.ceil(threads / WORKGROUP[0]), 1, 1] };
}

/** WGSL of the per-position loads and multiply-adds of one thread's tile. */
function tileBody(plan: FilterGradPlan, c: FilterGradConstants): string {
  const { tileIn, tileOut } = plan;
  if (plan.mode === 'conv') {
    return [
      `let xi = (xRow + ox * sw) * ${c.inChannels} + ci0;`,
      `let di = (dyRow + ox) * ${c.outChannels} + co0;`,
      ...range(tileIn).map((i) => `let xv${i} = x[xi + ${i}];`),
      ...range(tileOut).map((o) => `let dv${o} = dy[di + ${o}];`),
      ...range(tileIn).flatMap((i) => range(tileOut).map((o) => `a${i}_${o} = a${i}_${o} + xv${i} * dv${o};`)),
    ].join('\n          ');
  }
  const channels = c.inChannels * c.outChannels;
  return [
    `let pix = (xRow + ox * sw) * ${c.inChannels};`,
    `let di = (dyRow + ox) * ${channels} + co0;`,
    ...range(tileOut).map((o) => `a0_${o} = a0_${o} + x[pix + xc${o}] * dy[di + ${o}];`),
  ].join('\n          ');
}

/** WGSL that picks the thread's tap and channel tile and, for depthwise, each channel's input channel. */
function tileSetup(plan: FilterGradPlan, c: FilterGradConstants): string {
  if (plan.mode === 'conv') {
    const coTiles = c.outChannels / plan.tileOut;
    const ciTiles = c.inChannels / plan.tileIn;
    return `
      let coTile = tile % ${coTiles};
      let rest = tile / ${coTiles};
      let ci0 = (rest % ${ciTiles}) * ${plan.tileIn};
      let tap = rest / ${ciTiles};
      let co0 = coTile * ${plan.tileOut};`;
  }
  const coTiles = (c.inChannels * c.outChannels) / plan.tileOut;
  return `
      let tap = tile / ${coTiles};
      let co0 = (tile % ${coTiles}) * ${plan.tileOut};
      ${range(plan.tileOut).map((o) => `let xc${o} = (co0 + ${o}) / ${c.outChannels};`).join('\n      ')}`;
}

/** WGSL that writes the thread's partial sums into row `chunk` of [chunks, filterSize]. */
function tileStore(plan: FilterGradPlan, c: FilterGradConstants): string {
  if (plan.mode === 'conv') {
    return [
      `let base = chunk * ${plan.filterSize} + (tap * ${c.inChannels} + ci0) * ${c.outChannels} + co0;`,
      ...range(plan.tileIn).flatMap((i) => range(plan.tileOut).map((o) => `result[base + ${i * c.outChannels + o}] = a${i}_${o};`)),
    ].join('\n      ');
  }
  return [
    `let base = chunk * ${plan.filterSize} + tap * ${c.inChannels * c.outChannels} + co0;`,
    ...range(plan.tileOut).map((o) => `result[base + ${o}] = a0_${o};`),
  ].join('\n      ');
}

/**
 * First stage: inputs x [N,H,W,CI] and dy [N,OH,OW,CO] (NHWC, float32); output [chunks,
 * filterSize], or the filter's own shape when there is one chunk (then it is the gradient).
 * A class, so dispatch counts and pipeline labels name it.
 */
export class FilterGradPartialsProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  workgroupSize = WORKGROUP;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  uniforms = 'inDims : vec2<i32>, outDims : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, dilations : vec2<i32>, rows : i32, chunkRows : i32, threads : i32,';
  shaderKey: string;
  private readonly plan: FilterGradPlan;
  private readonly c: FilterGradConstants;

  constructor(plan: FilterGradPlan, c: FilterGradConstants, outputShape: number[]) {
    this.plan = plan;
    this.c = c;
    this.outputShape = outputShape;
    ({ dispatchLayout: this.dispatchLayout, dispatch: this.dispatch } = flatDispatch(plan.threads));
    // Every constant the WGSL bakes in; tfjs appends ranks and dtypes.
    this.shaderKey = `batchlabFilterGradPartials_${plan.mode}_${c.filterHeight}_${c.filterWidth}_${c.inChannels}_${c.outChannels}_${plan.tileIn}_${plan.tileOut}`;
  }

  getUserCode(): string {
    const { plan, c } = this;
    const accumulators = range(plan.mode === 'conv' ? plan.tileIn : 1)
      .flatMap((i) => range(plan.tileOut).map((o) => `var a${i}_${o} = 0.0;`))
      .join('\n      ');
    return `
    fn main(index : i32) {
      if (index >= uniforms.threads) {
        return;
      }
      let tile = index % ${plan.tiles};
      let chunk = index / ${plan.tiles};
      ${tileSetup(plan, c)}
      let kh = tap / ${c.filterWidth};
      let kw = tap - kh * ${c.filterWidth};
      let tapTop = kh * uniforms.dilations.x - uniforms.pads.x;
      let tapLeft = kw * uniforms.dilations.y - uniforms.pads.y;
      let sh = uniforms.strides.x;
      let sw = uniforms.strides.y;
      let inH = uniforms.inDims.x;
      let inW = uniforms.inDims.y;
      let outH = uniforms.outDims.x;
      let outW = uniforms.outDims.y;
      // Output columns whose tap lands inside the image: 0 <= ox * sw + tapLeft < inW.
      var oxLo = 0;
      if (tapLeft < 0) {
        oxLo = min((sw - 1 - tapLeft) / sw, outW);
      }
      var oxHi = 0;
      if (inW - 1 - tapLeft >= 0) {
        oxHi = (inW - 1 - tapLeft) / sw + 1;
      }
      oxHi = max(min(oxHi, outW), oxLo);
      ${accumulators}
      let r0 = chunk * uniforms.chunkRows;
      let r1 = min(r0 + uniforms.chunkRows, uniforms.rows);
      for (var r = r0; r < r1; r = r + 1) {
        let n = r / outH;
        let iy = (r - n * outH) * sh + tapTop;
        if (iy < 0 || iy >= inH) {
          continue;
        }
        let xRow = (n * inH + iy) * inW + tapLeft;
        let dyRow = r * outW;
        for (var ox = oxLo; ox < oxHi; ox = ox + 1) {
          ${tileBody(plan, c)}
        }
      }
      ${tileStore(plan, c)}
    }
  `;
  }
}

export function partialsUniforms(plan: FilterGradPlan, u: FilterGradUniforms): UniformData {
  return [
    { type: 'int32', data: [u.inHeight, u.inWidth] },
    { type: 'int32', data: [u.outHeight, u.outWidth] },
    { type: 'int32', data: [...u.strides] },
    { type: 'int32', data: [...u.pads] },
    { type: 'int32', data: [...u.dilations] },
    { type: 'int32', data: [plan.rows] },
    { type: 'int32', data: [plan.chunkRows] },
    { type: 'int32', data: [plan.threads] },
  ];
}

/** Second stage: partials [chunks, size] -> the filter (shape `filterShape`), chunks added in order 0, 1, ... */
export class FilterGradSumChunksProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  workgroupSize = WORKGROUP;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  uniforms = 'chunks : i32,';
  // Nothing is baked in: sizes are uniforms.
  shaderKey = 'batchlabFilterGradSumChunks';

  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    ({ dispatchLayout: this.dispatchLayout, dispatch: this.dispatch } = flatDispatch(filterShape.reduce((a, b) => a * b, 1)));
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        var s = 0.0;
        for (var c = 0; c < uniforms.chunks; c = c + 1) {
          s = s + partials[c * uniforms.size + index];
        }
        setOutputAtIndex(index, s);
      }
    }
  `;
  }
}

export function sumChunksUniforms(plan: FilterGradPlan): UniformData {
  return [{ type: 'int32', data: [plan.chunks] }];
}
