/**
 * Finds the Vulkan loader (libvulkan.so.1) the way the dynamic linker would, so the webgpu probe
 * can say "not installed" without starting Dawn, which prints its own warning to stderr.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { environmentLibraryPath } from './options.ts';

export const VULKAN_LOADER = 'libvulkan.so.1';

/** Folders searched for shared libraries: LD_LIBRARY_PATH, ld.so.conf entries, then the defaults. */
export function planLibrarySearchDirs(ldLibraryPath: string | undefined, ldConfTexts: string[]): string[] {
  const fromEnv = (ldLibraryPath ?? '').split(':').filter((d) => d !== '');
  const fromConf = ldConfTexts.flatMap((text) =>
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('include ')),
  );
  const defaults = ['/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  return [...new Set([...fromEnv, ...fromConf, ...defaults])];
}

function readLdConfTexts(): string[] {
  const texts: string[] = [];
  const read = (file: string) => {
    try {
      texts.push(readFileSync(file, 'utf8'));
    } catch {
      // A missing or unreadable conf file only narrows the search.
    }
  };
  read('/etc/ld.so.conf');
  try {
    for (const f of readdirSync('/etc/ld.so.conf.d').sort()) if (f.endsWith('.conf')) read(`/etc/ld.so.conf.d/${f}`);
  } catch {
    // No conf.d folder: the defaults still apply.
  }
  return texts;
}

/** Full path of libvulkan.so.1 on this Linux machine, or undefined when the loader is not installed. */
export function findVulkanLoader(): string | undefined {
  const dirs = planLibrarySearchDirs(environmentLibraryPath(), readLdConfTexts());
  return dirs.map((d) => path.join(d, VULKAN_LOADER)).find((file) => existsSync(file));
}
