/**
 * Runs one batchlab WGSL compute shader on tfjs's webgpu backend (tfjs-backend-webgpu 4.22) with
 * several float32 outputs in one dispatch.
 *
 * tfjs's `runWebGPUProgram` gives a program one writable output, so a kernel with three outputs
 * (BatchNorm's y, mean and variance) would cost three dispatches or a packed buffer and slices.
 * Here the shader is written whole (not through tfjs's generated header), the outputs are fresh
 * tfjs tensors, and the dispatch is recorded through the backend's own `recordAndSubmit`: the
 * same compute pass, uniform buffer, bind group, deferred submit, profiler timing and dispatch
 * count as any tfjs kernel. `recordAndSubmit` binds [output, ...inputs, uniforms]; the first
 * output goes in its `output` place and the other outputs lead its `inputs` list, declared
 * read_write in the shader. Every tensor is passed as a flat 1-D view, so the uniforms tfjs
 * prepends (NaN, Infinity, then each tensor's shape and strides) are two f32 and two i32 per
 * tensor, and the shader's own scalar uniforms follow them.
 *
 * WebGPU's default limit of 8 storage buffers per shader stage (tfjs asks for no more) bounds
 * inputs + outputs of one program.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../../errors.ts';

/** The parts of tfjs's WebGPUBackend (4.22) this runner uses. */
interface WebGpuBackendLike {
  device: GPUDevice;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: tf.DataId): void;
  recordAndSubmit(program: object, output: tf.TensorInfo, inputs: tf.TensorInfo[], uniforms: ProgramUniform[]): void;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

interface ProgramUniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

export type UniformType = 'f32' | 'i32' | 'u32';

export interface FusedProgram {
  /** Names the program in tf.profile and the dispatch counter. */
  name: string;
  /** Identifies the WGSL: every constant baked into `body` must be in it. */
  key: string;
  /** Read-only float32 inputs, bound as `array<f32>` under these names. */
  inputs: [string, tf.TensorInfo][];
  /** Float32 outputs: names and shapes, bound read_write as `array<f32>`. */
  outputs: [string, number[]][];
  /** Scalar uniforms, read in the shader as `u.<name>`. At least one. */
  uniforms: [string, UniformType, number][];
  workgroupSize: number;
  workgroups: number;
  /**
   * WGSL defining `fn run(wg: u32, lid: u32, nwg: u32)` (workgroup id, local index, number of
   * workgroups, all along x) and anything it needs. It must use every input, output and uniform
   * named above: WebGPU's automatic layout drops a binding the shader never reads. A function
   * is called only when this device has no pipeline for the program's name and key yet, so a
   * kernel whose WGSL depends on its attributes builds the text once, not on every call.
   */
  body: string | (() => string);
}

/** The most workgroups one dispatch may have along x (WebGPU's minimum guaranteed limit). */
export const MAX_WORKGROUPS = 65535;

const UNIFORM_TYPE: Record<UniformType, ProgramUniform['type']> = { f32: 'float32', i32: 'int32', u32: 'uint32' };

function shaderSource(p: FusedProgram): string {
  const tensors = p.outputs.length + p.inputs.length;
  const fields = ['_nan: f32', '_inf: f32'];
  for (let i = 0; i < tensors; i++) fields.push(`_shape${i}: i32`, `_strides${i}: i32`);
  for (const [name, type] of p.uniforms) fields.push(`${name}: ${type}`);
  const buffers = [
    ...p.outputs.map(([name], i) => `@group(0) @binding(${i}) var<storage, read_write> ${name}: array<f32>;`),
    ...p.inputs.map(([name], i) => `@group(0) @binding(${p.outputs.length + i}) var<storage, read> ${name}: array<f32>;`),
  ];
  return [
    `struct Uniforms { ${fields.join(', ')} };`,
    ...buffers,
    `@group(0) @binding(${tensors}) var<uniform> u: Uniforms;`,
    typeof p.body === 'string' ? p.body : p.body(),
    `@compute @workgroup_size(${p.workgroupSize})`,
    'fn _start(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {',
    '  run(wid.x, lid, nwg.x);',
    '}',
  ].join('\n');
}

/** Compiled pipelines per device, by program key. */
const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineFor(device: GPUDevice, p: FusedProgram): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const key = `${p.name}:${p.key}:${p.workgroupSize}`;
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ code: shaderSource(p), label: p.name });
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: '_start' }, label: p.name });
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** A class per program name, so tf.profile's timings (constructor.name) name the program. */
const programClasses = new Map<string, new () => object>();

function programObject(name: string): Record<string, unknown> {
  let cls = programClasses.get(name);
  if (!cls) {
    cls = { [name]: class {} }[name]!;
    programClasses.set(name, cls);
  }
  return new cls() as Record<string, unknown>;
}

function flat(t: tf.TensorInfo): tf.TensorInfo {
  return { dataId: t.dataId, shape: [tf.util.sizeFromShape(t.shape)], dtype: t.dtype };
}

/** Runs `p` on `backend` (tfjs's webgpu backend); returns its outputs, owned by the caller. */
export function runFusedProgram(backend: unknown, p: FusedProgram): tf.TensorInfo[] {
  const b = backend as WebGpuBackendLike;
  if (p.outputs.length === 0 || p.uniforms.length === 0) throw new InternalError(`${p.name}: a program needs an output and a uniform`);
  if (p.workgroups < 1 || p.workgroups > MAX_WORKGROUPS) throw new InternalError(`${p.name}: ${p.workgroups} workgroups`);
  for (const [name, t] of p.inputs) {
    if (t.dtype !== 'float32') throw new InternalError(`${p.name}: input '${name}' must be float32, got ${t.dtype}`);
  }
  const outputs = p.outputs.map(([, shape]) => b.makeTensorInfo(shape, 'float32'));
  for (const t of [...outputs, ...p.inputs.map(([, t]) => t)]) {
    if (tf.util.sizeFromShape(t.shape) === 0) throw new InternalError(`${p.name}: empty tensor`);
    b.uploadToGPU(t.dataId);
  }
  const program = programObject(p.name);
  program.pipeline = pipelineFor(b.device, p);
  program.dispatch = [p.workgroups, 1, 1];
  const uniforms = p.uniforms.map(([, type, value]): ProgramUniform => ({ type: UNIFORM_TYPE[type], data: [value] }));
  const [first, ...rest] = outputs.map(flat);
  b.recordAndSubmit(program, first!, [...rest, ...p.inputs.map(([, t]) => flat(t))], uniforms);
  return outputs;
}

/** Releases a tensor a kernel made for its own use (safe while a queued dispatch still reads it). */
export function disposeScratch(backend: unknown, t: tf.TensorInfo): void {
  (backend as WebGpuBackendLike).disposeData(t.dataId, true);
}

/** Workgroups for a grid-stride loop over `n` elements, `size` threads each. */
export function gridWorkgroups(n: number, size: number): number {
  return Math.max(1, Math.min(MAX_WORKGROUPS, Math.ceil(n / size)));
}

/** WGSL: a tree sum of `red[0..size)` into red[0], every thread taking part (uniform control flow). */
export function treeSum(array: string, size: number): string {
  return `
  for (var s = ${size / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${array}[lid] = ${array}[lid] + ${array}[lid + s]; }
    workgroupBarrier();
  }`;
}

/** Reads a float32 kernel input or throws naming it. */
export function floatInput(inputs: tf.NamedTensorInfoMap, kernel: string, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t == null) throw new InternalError(`${kernel}: input '${name}' is missing`);
  if (t.dtype !== 'float32') throw new InternalError(`${kernel}: input '${name}' must be float32, got ${t.dtype}`);
  return t;
}

/** Replaces any kernel of that name on webgpu (a composed fallback registered earlier included). */
export function registerWebgpuKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, 'webgpu') != null) tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
}
