/** The pure-JavaScript cpu backend: slow for convolutions but present everywhere. */
import type { BackendDriver } from './names.ts';
import { cpuModel } from './host.ts';
import { switchTo, verifyActiveBackend } from './active-backend.ts';
import { registerBatchNormKernels } from './batch-norm-kernels.ts';

export const cpuDriver: BackendDriver = {
  async probe() {
    return { name: 'cpu', usable: true, device: cpuModel(), reason: 'pure JavaScript, always available' };
  },
  async activate() {
    await switchTo('cpu', 'tfjs could not set the cpu backend');
    registerBatchNormKernels('cpu');
    await verifyActiveBackend('cpu');
    return { device: cpuModel(), isGpu: false };
  },
};
