/**
 * Third-party native libraries (Dawn, the WebGPU implementation) write warnings straight to the
 * process's stderr from C++, past any JavaScript logger, e.g.
 *   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 500000 to 15 to fit dynamic offset allocation limit.
 * They say nothing about batchlab's result. A command that loads such a library can run itself
 * as a child whose stderr is read line by line here, dropping these lines (shown with --debug).
 */
import { spawn } from 'node:child_process';
import { findVulkanLoader } from '../backend/vulkan-loader.ts';
import { CLI_ENTRY } from './cli-entry.ts';
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

/** Options of runWithoutNativeNoise. */
export interface FilterOptions {
  /**
   * The child writes straight to this process's stdout (a terminal stays a terminal, so progress
   * bars still draw) and runs in a process group of its own: Ctrl-C and SIGTERM reach it once, passed
   * on by this process, which waits for it to finish.
   */
  passStdout?: boolean;
}

/**
 * Runs `command args` with stdout passed to io.out (or straight through, see FilterOptions) and
 * stderr to io.err, line by line, minus the lines isNativeNoise matches. Resolves with the child's
 * exit code (1 when it died by a signal).
 */
export function runWithoutNativeNoise(command: string, args: string[], io: Output, opts: FilterOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', opts.passStdout ? 'inherit' : 'pipe', 'pipe'],
      env: { ...process.env, [FILTERED_ENV]: '1' },
      detached: opts.passStdout === true,
    });
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
    if (child.stdout) lines(child.stdout, (l) => io.out(l), false);
    lines(child.stderr!, (l) => io.err(l), true);
    const pass = (sig: NodeJS.Signals) => () => { child.kill(sig); };
    const passInt = pass('SIGINT');
    const passTerm = pass('SIGTERM');
    if (opts.passStdout) {
      // The child owns Ctrl-C (finish the step, flush, or quit at once on a second one).
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.on('SIGINT', passInt);
      process.on('SIGTERM', passTerm);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      process.off('SIGINT', passInt);
      process.off('SIGTERM', passTerm);
      resolve(code ?? 1);
    });
  });
}


/**
 * True when `run`/`sweep` should run themselves again as a filtered child: the backend may be
 * webgpu (`webgpu` or `auto`), Dawn will load (Linux: a Vulkan loader is present), --debug is not
 * given, this is not that child already, and this process is the CLI itself (not a test calling main).
 */
export function shouldHideDawnNoise(backend: string, debug: boolean, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): boolean {
  if (backend !== 'auto' && backend !== 'webgpu') return false;
  if (debug || env[FILTERED_ENV] === '1' || !argv[1] || !CLI_ENTRY.test(argv[1])) return false;
  return process.platform !== 'linux' || !!findVulkanLoader();
}

/** Runs this very command again as a child whose stderr loses Dawn's warnings; resolves with its exit code. */
export function rerunWithoutNativeNoise(io: Output): Promise<number> {
  return runWithoutNativeNoise(process.execPath, [...process.execArgv, ...process.argv.slice(1)], io, { passStdout: true });
}
