/**
 * Third-party native libraries (Dawn, the WebGPU implementation) write warnings straight to the
 * process's stderr from C++, past any JavaScript logger, e.g.
 *   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 500000 to 15 to fit dynamic offset allocation limit.
 * They say nothing about batchlab's result. A command that loads such a library can run itself
 * as a child whose stderr is read line by line here, dropping these lines (shown with --debug).
 */
import { spawn } from 'node:child_process';
import type { Output } from './output.ts';

/** Lines known to be third-party noise. Anything else passes through. */
export const NATIVE_NOISE: readonly RegExp[] = [
  // Dawn's Vulkan backend lowering a limit it reports; harmless, printed on every device request.
  /\b\w+ artificially reduced from \d+ to \d+\b/,
];

export function isNativeNoise(line: string): boolean {
  return NATIVE_NOISE.some((re) => re.test(line));
}

/** Set in the child so it runs the command itself instead of spawning again. */
export const FILTERED_ENV = 'BATCHLAB_STDERR_FILTERED';

/**
 * Runs `command args` with stdout passed to io.out and stderr to io.err, line by line, minus the
 * lines isNativeNoise matches. Resolves with the child's exit code (1 when it died by a signal).
 */
export function runWithoutNativeNoise(command: string, args: string[], io: Output): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [FILTERED_ENV]: '1' } });
    const lines = (stream: NodeJS.ReadableStream, write: (line: string) => void, filter: boolean) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const p of parts) if (!(filter && isNativeNoise(p))) write(p);
      });
      stream.on('end', () => { if (rest && !(filter && isNativeNoise(rest))) write(rest); });
    };
    lines(child.stdout, (l) => io.out(l), false);
    lines(child.stderr, (l) => io.err(l), true);
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
