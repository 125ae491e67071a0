/** Facts about the host machine that backends report as their device. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** The CPU's marketing name, e.g. "AMD EPYC 7B13"; some containers report none. */
export function cpuModel(): string {
  const model = os.cpus()[0]?.model?.trim();
  return model ? model : 'unknown CPU';
}

/** Logical cores this process may use. */
export function cpuCores(): number {
  return os.availableParallelism();
}

/** Whether the NVIDIA kernel driver exposes a GPU to this process (containers need it passed in). */
export function hasNvidiaDevice(): boolean {
  return existsSync('/dev/nvidia0');
}

/** GPU model names from the NVIDIA driver's /proc entries; empty without the driver. */
export function nvidiaGpuNames(): string[] {
  const root = '/proc/driver/nvidia/gpus';
  try {
    return readdirSync(root).flatMap((bus) => {
      const info = readFileSync(`${root}/${bus}/information`, 'utf8');
      const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim();
      return model ? [model] : [];
    });
  } catch {
    return [];
  }
}
