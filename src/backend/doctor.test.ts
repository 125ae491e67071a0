import { describe, expect, it } from 'vitest';
import { renderDoctor } from './doctor.ts';
import type { BackendProbe } from './names.ts';

describe('renderDoctor', () => {
  const cases: { name: string; probes: BackendProbe[]; expected: string[] }[] = [
    { name: 'no probes', probes: [], expected: [''] },
    {
      name: 'usable backend: padded columns, no hint line',
      probes: [
        { name: 'wasm', usable: true, device: 'Xeon (wasm SIMD, 1 thread)', reason: 'WebAssembly with XNNPACK' },
        { name: 'cpu', usable: true, device: 'Xeon', reason: 'pure JavaScript' },
      ],
      expected: [
        'wasm  yes  Xeon (wasm SIMD, 1 thread)  WebAssembly with XNNPACK',
        'cpu   yes  Xeon                        pure JavaScript',
      ],
    },
    {
      name: 'unusable backend: "-" for the device, hint indented below',
      probes: [
        { name: 'webgpu', usable: false, device: '', reason: 'no Vulkan adapter', hint: 'install libvulkan1' },
        { name: 'cpu', usable: true, device: 'Xeon', reason: 'pure JavaScript' },
      ],
      expected: ['webgpu  no   -     no Vulkan adapter', '    hint: install libvulkan1', 'cpu     yes  Xeon  pure JavaScript'],
    },
    {
      name: 'usable with a hint (silent CPU fallback); multi-line hint keeps its indent',
      probes: [
        { name: 'tensorflow', usable: true, device: 'Xeon (CPU fallback)', reason: 'runs on CPU', hint: 'line one\nline two' },
      ],
      expected: ['tensorflow  yes  Xeon (CPU fallback)  runs on CPU', '    hint: line one', '    hint: line two'],
    },
  ];

  it.each(cases)('$name', ({ probes, expected }) => {
    expect(renderDoctor(probes)).toBe(expected.join('\n'));
  });
});
