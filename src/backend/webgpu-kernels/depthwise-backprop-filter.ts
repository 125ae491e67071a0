/**
 * DepthwiseConv2dNativeBackpropFilter on webgpu by batchlab's chunked, deterministic reduction
 * (filter-grad-plan.ts). Handles float32 inputs with dilation 1 at any stride, padding and
 * channel multiplier; dilations above 1 go to tfjs-webgpu's own kernel (tfjs's depthwise
 * gradient refuses them, so only a direct runKernel call can ask for one).
 */
import { filterGradKernel, type FilterGradAttrs } from './filter-grad-run.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

const handles = ({ dilations: d }: FilterGradAttrs) => d == null || (typeof d === 'number' ? d === 1 : d.every((v) => v === 1));

export function registerDepthwiseBackpropFilter(): void {
  replaceWebgpuKernel('DepthwiseConv2dNativeBackpropFilter', filterGradKernel('depthwise', handles));
}
