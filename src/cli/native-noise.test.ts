import { describe, expect, it } from 'vitest';
import { isNativeNoise, runWithoutNativeNoise } from './native-noise.ts';
import type { Output } from './output.ts';

const DAWN = 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 500000 to 15 to fit dynamic offset allocation limit.';

describe('isNativeNoise', () => {
  it.each([
    [DAWN, true],
    ['warning: a worker could not start', false],
    ['webgpu      yes  nvidia  adapter found', false],
    ['error: train.lr: expected a positive number', false],
  ])('%s -> %s', (line, noise) => expect(isNativeNoise(line)).toBe(noise));
});

describe('runWithoutNativeNoise', () => {
  it("drops the child's native noise from stderr, keeps every other line and the exit code", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Output = { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false };
    const script = `process.stderr.write(${JSON.stringify(DAWN + '\n')} + 'real warning\\n' + ${JSON.stringify(DAWN)}); process.stdout.write('table\\nline 2\\n'); process.exitCode = 3;`;
    const code = await runWithoutNativeNoise(process.execPath, ['-e', script], io);
    expect(code).toBe(3);
    expect(out).toEqual(['table', 'line 2']);
    expect(err).toEqual(['real warning']);
  });
});
