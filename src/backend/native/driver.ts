/** The `native` backend's driver: probe and activation for batchlab's backend chooser. */
import type { BackendDriver } from '../names.ts';
import { cpuModel } from '../host.ts';
import { currentBackend, restoreBackend, switchTo, verifyActiveBackend } from '../active-backend.ts';
import { BackendUnavailableError, unusableProbe } from '../backend-unavailable-error.ts';
import { loadNativeAddon } from './addon.ts';
import { registerNativeBackend } from './register.ts';

/** Loads the addon and registers the backend; throws BackendUnavailableError naming what to install. */
function ensureRegistered(): { device: string; reason: string } {
  const load = loadNativeAddon();
  if (!load.ok) throw new BackendUnavailableError('native', load.reason, load.hint);
  registerNativeBackend(load.addon);
  return { device: `${cpuModel()} (${load.threads} thread${load.threads === 1 ? '' : 's'})`, reason: load.addon.info() };
}

export const nativeDriver: BackendDriver = {
  async probe() {
    const previous = currentBackend();
    try {
      const { device, reason } = ensureRegistered();
      await switchTo('native', 'tfjs could not set the native backend');
      await verifyActiveBackend('native');
      return { name: 'native', usable: true, device, reason };
    } catch (err) {
      return unusableProbe('native', err);
    } finally {
      await restoreBackend(previous);
    }
  },
  async activate() {
    const { device } = ensureRegistered();
    await switchTo('native', 'tfjs could not set the native backend');
    await verifyActiveBackend('native');
    return { device, isGpu: false };
  },
};
