/** The `native` backend's driver: probe and activation for batchlab's backend chooser. */
import type { BackendDriver } from '../names.ts';
import { cpuModel } from '../host.ts';
import { currentBackend, restoreBackend, switchTo, verifyActiveBackend } from '../active-backend.ts';
import { BackendUnavailableError, unusableProbe } from '../backend-unavailable-error.ts';
import { describeBackendOptions, environmentBackendOptions, type BackendOptions } from '../options.ts';
import { loadNativeAddon } from './addon.ts';
import { registerNativeBackend } from './register.ts';

/** Loads the addon and registers the backend; throws BackendUnavailableError naming what to install. */
function ensureRegistered(options: BackendOptions): { device: string; reason: string; threads: number } {
  const load = loadNativeAddon(options.threads);
  if (!load.ok) throw new BackendUnavailableError('native', load.reason, load.hint);
  registerNativeBackend(load.addon, options);
  return { device: `${cpuModel()} (${load.threads} thread${load.threads === 1 ? '' : 's'})`, reason: load.addon.info(), threads: load.threads };
}

export const nativeDriver: BackendDriver = {
  async probe(options?: BackendOptions) {
    const previous = currentBackend();
    try {
      const { device, reason } = ensureRegistered(options ?? environmentBackendOptions());
      await switchTo('native', 'tfjs could not set the native backend');
      await verifyActiveBackend('native');
      return { name: 'native', usable: true, device, reason };
    } catch (err) {
      return unusableProbe('native', err);
    } finally {
      await restoreBackend(previous);
    }
  },
  async activate(options = environmentBackendOptions()) {
    const { device, threads } = ensureRegistered(options);
    await switchTo('native', 'tfjs could not set the native backend');
    await verifyActiveBackend('native');
    return { device, isGpu: false, settings: describeBackendOptions('native', options, threads) };
  },
};
