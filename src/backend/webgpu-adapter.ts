/** Describes a WebGPU adapter for people; pure. */

/** The GPUAdapterInfo fields batchlab reads (older Dawn builds lack isFallbackAdapter). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterSummary {
  /** e.g. "nvidia hopper (NVIDIA H100 80GB HBM3)" or "mesa llvmpipe (software)". */
  device: string;
  /** True for CPU rasterisers (lavapipe/llvmpipe, SwiftShader): WebGPU then runs on the CPU. */
  software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe/i;

export function summarizeAdapter(info: AdapterInfoLike): AdapterSummary {
  const head = [info.vendor, info.architecture].map((s) => s?.trim() ?? '').filter((s) => s !== '');
  // `device` is often a bare PCI id; the description names the model when the driver gives one.
  const detail = [info.description, info.device].map((s) => s?.trim() ?? '').find((s) => s !== '' && !head.includes(s));
  const text = [head.join(' '), detail ? `(${detail})` : ''].filter((s) => s !== '').join(' ');
  const software = info.isFallbackAdapter === true || SOFTWARE.test(Object.values(info).join(' '));
  const device = text === '' ? 'unnamed WebGPU adapter' : text;
  return { device: software ? `${device} (software)` : device, software };
}
