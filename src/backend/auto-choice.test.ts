import { describe, expect, it } from 'vitest';
import { explainAutoChoice, type Skipped } from './auto-choice.ts';
import type { BackendName } from './names.ts';

describe('explainAutoChoice', () => {
  const cases: { skipped: Skipped[]; chosen: BackendName; note?: string; expected: string }[] = [
    { skipped: [], chosen: 'tensorflow', expected: 'using tensorflow' },
    {
      skipped: [
        { name: 'tensorflow', reason: '@tensorflow/tfjs-node-gpu not installed' },
        { name: 'webgpu', reason: 'no Vulkan adapter' },
      ],
      chosen: 'wasm',
      expected: 'tensorflow: @tensorflow/tfjs-node-gpu not installed; webgpu: no Vulkan adapter; using wasm',
    },
    {
      skipped: [],
      chosen: 'tensorflow',
      note: 'runs on CPU',
      expected: 'using tensorflow (runs on CPU)',
    },
  ];

  it.each(cases)('$expected', ({ skipped, chosen, note, expected }) => {
    expect(explainAutoChoice(skipped, chosen, note)).toBe(expected);
  });
});
