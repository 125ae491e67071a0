/**
 * The bench's webgpu section: one CNN 16-32 + BN training step at batch 256 on webgpu (with
 * batchlab's kernels) beside the native backend on the same cores, by scripts/gpu/step-profile.ts.
 * On a machine without a GPU this is webgpu on lavapipe (Mesa's software Vulkan), the proxy
 * measurable in CI. Skipped, with the reason, where webgpu or native is not usable.
 */
import { probeBackend } from '../../src/backend/index.ts';
import { measureTarget, type StepReport } from '../gpu/step-profile.ts';

export const WEBGPU_STEP_BATCH = 256;

/** conv1's filter gradient in the step's kernel table (kernel x output shape). */
const CONV1_FILTER_GRAD = { kernel: 'Conv2DBackpropFilter', outShape: '[3,3,1,16]' };

export type WebgpuStepResult = { webgpu: StepReport; native: StepReport } | { skipped: string };

export async function measureWebgpuStep(quick: boolean, rounds: number): Promise<WebgpuStepResult> {
  for (const name of ['webgpu', 'native'] as const) {
    const probe = await probeBackend(name);
    if (!probe.usable) return { skipped: `${name} not usable: ${probe.reason}` };
  }
  const opts = { batch: WEBGPU_STEP_BATCH, steps: quick ? 1 : 2, timedSteps: quick ? 1 : 2, rounds };
  const webgpu = await measureTarget(opts, 'webgpu', 'cnn');
  const native = await measureTarget(opts, 'native', 'cnn');
  return { webgpu, native };
}

/** Time per step of conv1's filter gradient, and of the slowest other kernel row, in the webgpu table. */
export function conv1FilterGradStanding(r: StepReport): { conv1Ms: number | null; slowestOther: { kernel: string; outShape: string; ms: number } | null } {
  const isConv1 = (k: { kernel: string; outShape: string }) => k.kernel === CONV1_FILTER_GRAD.kernel && k.outShape === CONV1_FILTER_GRAD.outShape;
  const conv1 = r.kernels.find(isConv1);
  const others = r.kernels.filter((k) => !isConv1(k)).sort((a, b) => b.ms - a.ms);
  return { conv1Ms: conv1?.ms ?? null, slowestOther: others[0] ?? null };
}
