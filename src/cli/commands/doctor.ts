/** `batchlab doctor`: one line per backend, then how the CLI started; exit 0 when at least one backend works. */
import { probeBackends } from '../../backend/index.ts';
import { renderDoctor } from '../../backend/doctor.ts';
import { EXIT } from '../../errors.ts';
import { findVulkanLoader } from '../../backend/vulkan-loader.ts';
import { FILTERED_ENV, runWithoutNativeNoise } from '../native-noise.ts';
import type { Output } from '../output.ts';

/**
 * Probing webgpu loads Dawn, whose native warnings would land on batchlab's stderr; so where
 * Dawn will load (Linux: a Vulkan loader is present) doctor probes in a child process and drops
 * them, unless --debug asks for everything. Elsewhere it probes in this process.
 */
export async function doctorCommand(io: Output, debug = false): Promise<number> {
  // The child is this same program (bin/batchlab.mjs, or a bundle's entry) with its Node flags.
  const entry = process.argv[1];
  const dawnWillLoad = process.platform !== 'linux' || !!findVulkanLoader();
  if (dawnWillLoad && !debug && process.env[FILTERED_ENV] !== '1' && entry) return runWithoutNativeNoise(process.execPath, [...process.execArgv, entry, 'doctor'], io);
  const probes = await probeBackends();
  io.out(renderDoctor(probes));
  // Set by bin/batchlab.mjs: the CLI bundle (dist/cli) or the TypeScript sources, and why.
  io.out(`cli: ${process.env['BATCHLAB_CLI_STARTED'] ?? 'started without bin/batchlab.mjs'}`);
  return probes.some((p) => p.usable) ? EXIT.ok : EXIT.failure;
}
