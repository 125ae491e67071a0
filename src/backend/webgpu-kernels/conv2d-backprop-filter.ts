/**
 * Conv2DBackpropFilter on webgpu by batchlab's chunked, deterministic reduction
 * (filter-grad-plan.ts). Handles NHWC float32 inputs, any stride, padding and rounding;
 * NCHW goes to tfjs-webgpu's own kernel. tfjs's conv2d gradient allows only dilation 1, and this
 * kernel has no dilation attribute.
 */
import { filterGradKernel, type FilterGradAttrs } from './filter-grad-run.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

const handles = (attrs: FilterGradAttrs) => attrs.dataFormat !== 'NCHW';

export function registerConv2dBackpropFilter(): void {
  replaceWebgpuKernel('Conv2DBackpropFilter', filterGradKernel('conv', handles));
}
