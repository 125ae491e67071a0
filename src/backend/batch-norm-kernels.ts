/**
 * The training-mode batch-norm kernels (src/models/batch-norm-train.ts) for backends whose
 * tensors JavaScript can read and write in place: wasm (its heap) and cpu (its typed arrays).
 * Both run batchNormForward/batchNormBackward, two reads and one write of the activation per
 * direction; other backends use the composed kernels the op registers.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormBackward, batchNormForward } from './batch-norm-math.ts';
import { BN_TRAIN, BN_TRAIN_GRAD, type BatchNormTrainAttrs } from './kernel-names.ts';
import { InternalError } from '../errors.ts';

/** Float32 memory of one backend: allocate all outputs first, then read views of everything. */
interface ArrayMemory {
  alloc(shape: number[]): tf.TensorInfo;
  view(t: tf.TensorInfo): Float32Array;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  data: { get(id: tf.DataId): { values: Float32Array } };
}

function wasmMemory(backend: unknown): ArrayMemory {
  const b = backend as WasmBackendLike;
  // An allocation may grow the heap and detach earlier views: views are taken after every alloc.
  return { alloc: (shape) => b.makeOutput(shape, 'float32'), view: (t) => b.typedArrayFromHeap(t) };
}

function cpuMemory(backend: unknown): ArrayMemory {
  const b = backend as CpuBackendLike;
  return {
    alloc: (shape) => b.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((p, d) => p * d, 1))),
    view: (t) => b.data.get(t.dataId).values,
  };
}

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t == null) throw new InternalError(`kernel input '${name}' is missing`);
  if (t.dtype !== 'float32') throw new InternalError(`kernel input '${name}' must be float32, got ${t.dtype}`);
  return t;
}

/** Both kernels' outputs: one of x's shape, then two per channel (gamma's shape [C]). */
function allocOutputs(mem: ArrayMemory, x: tf.TensorInfo, gamma: tf.TensorInfo): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  const c = gamma.shape[0];
  return [mem.alloc(x.shape.slice()), mem.alloc([c]), mem.alloc([c])];
}

function forwardKernel(memoryOf: (backend: unknown) => ArrayMemory): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const x = input(inputs, 'x');
    const gamma = input(inputs, 'gamma');
    const beta = input(inputs, 'beta');
    const mem = memoryOf(backend);
    const [y, mean, variance] = allocOutputs(mem, x, gamma);
    batchNormForward(
      mem.view(x), mem.view(gamma), mem.view(beta), (attrs as unknown as BatchNormTrainAttrs).epsilon,
      mem.view(y), mem.view(mean), mem.view(variance),
    );
    return [y, mean, variance];
  };
}

function backwardKernel(memoryOf: (backend: unknown) => ArrayMemory): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const dy = input(inputs, 'dy');
    const x = input(inputs, 'x');
    const gamma = input(inputs, 'gamma');
    const mean = input(inputs, 'mean');
    const variance = input(inputs, 'variance');
    const dmean = inputs.dmean == null ? null : input(inputs, 'dmean');
    const dvariance = inputs.dvariance == null ? null : input(inputs, 'dvariance');
    const mem = memoryOf(backend);
    const [dx, dgamma, dbeta] = allocOutputs(mem, x, gamma);
    batchNormBackward(
      mem.view(dy), mem.view(x), mem.view(gamma), mem.view(mean), mem.view(variance),
      (attrs as unknown as BatchNormTrainAttrs).epsilon,
      dmean && mem.view(dmean), dvariance && mem.view(dvariance),
      mem.view(dx), mem.view(dgamma), mem.view(dbeta),
    );
    return [dx, dgamma, dbeta];
  };
}

const MEMORY: Record<'wasm' | 'cpu', (backend: unknown) => ArrayMemory> = { wasm: wasmMemory, cpu: cpuMemory };

/** The array kernels for 'wasm' or 'cpu'; registering replaces any composed fallback. */
export function batchNormKernelConfigs(backendName: 'wasm' | 'cpu'): tf.KernelConfig[] {
  const memory = MEMORY[backendName];
  return [
    { kernelName: BN_TRAIN, backendName, kernelFunc: forwardKernel(memory) },
    { kernelName: BN_TRAIN_GRAD, backendName, kernelFunc: backwardKernel(memory) },
  ];
}

export function registerBatchNormKernels(backendName: 'wasm' | 'cpu'): void {
  for (const config of batchNormKernelConfigs(backendName)) {
    if (tf.getKernel(config.kernelName, backendName) != null) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
}
