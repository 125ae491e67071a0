import { describe, expect, it } from 'vitest';
import { summarizeAdapter, type AdapterInfoLike, type AdapterSummary } from './webgpu-adapter.ts';

describe('summarizeAdapter', () => {
  const cases: { name: string; info: AdapterInfoLike; expected: AdapterSummary }[] = [
    {
      name: 'NVIDIA GPU: vendor, architecture and the described model',
      info: { vendor: 'nvidia', architecture: 'hopper', device: '0x2330', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false },
      expected: { device: 'nvidia hopper (NVIDIA H100 80GB HBM3)', software: false },
    },
    {
      name: 'lavapipe is software even without isFallbackAdapter',
      info: { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' },
      expected: { device: 'mesa (llvmpipe (LLVM 19.1.7, 256 bits)) (software)', software: true },
    },
    {
      name: 'fallback flag marks software; device id used when no description',
      info: { vendor: 'google', architecture: 'swiftshader-like', device: 'x', description: '', isFallbackAdapter: true },
      expected: { device: 'google swiftshader-like (x) (software)', software: true },
    },
    {
      name: 'empty info',
      info: {},
      expected: { device: 'unnamed WebGPU adapter', software: false },
    },
  ];

  it.each(cases)('$name', ({ info, expected }) => {
    expect(summarizeAdapter(info)).toEqual(expected);
  });
});
