/** What a loaded tfjs-node(-gpu) runs on, from facts gathered about the host; pure. */
import { classifyTensorflowLoadError, GPU_PACKAGE } from './tensorflow-load-error.ts';

export interface TensorflowFacts {
  /** The package that loaded: the GPU build or the CPU-only @tensorflow/tfjs-node. */
  pkg: string;
  /** Why the packages tried before it failed (the GPU build, when the CPU one loaded). */
  earlier: { pkg: string; reason: string; hint?: string }[];
  /** NodeJSKernelBackend.isUsingGpuDevice; undefined when the binding does not say. */
  isUsingGpuDevice: boolean | undefined;
  hasNvidiaDevice: boolean;
  gpuNames: string[];
  cpuModel: string;
}

export interface TensorflowDevice {
  device: string;
  isGpu: boolean;
  reason: string;
  hint?: string;
}

export function summarizeTensorflowDevice(f: TensorflowFacts): TensorflowDevice {
  if (f.pkg !== GPU_PACKAGE) {
    const first = f.earlier[0];
    const fellBack = first ? `; ${first.reason}` : '';
    return { device: `${f.cpuModel} (libtensorflow, CPU)`, isGpu: false, reason: `loaded ${f.pkg}${fellBack}`, hint: first?.hint };
  }
  if (f.isUsingGpuDevice ?? f.hasNvidiaDevice) {
    const gpus = f.gpuNames.length ? f.gpuNames.join(', ') : 'NVIDIA GPU';
    return { device: `${gpus} (CUDA)`, isGpu: true, reason: `loaded ${f.pkg}` };
  }
  // tfjs-node-gpu does not fail without a usable GPU: libtensorflow logs to stderr and quietly
  // runs every op on the CPU, so this is the only place the user learns of it.
  const why = f.hasNvidiaDevice
    ? 'a GPU is present but TensorFlow could not load CUDA 11.2 / cuDNN 8.1'
    : 'no /dev/nvidia0 visible to this process';
  return {
    device: `${f.cpuModel} (CPU fallback: ${why})`,
    isGpu: false,
    reason: `loaded ${f.pkg}, but it runs on CPU: ${why}`,
    hint: f.hasNvidiaDevice
      ? classifyTensorflowLoadError('libcudart.so.11.0').hint
      : 'give the process the GPU (docker run --gpus all) and check that nvidia-smi lists it',
  };
}
