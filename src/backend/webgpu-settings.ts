/**
 * The settings batchlab gives Dawn (the WebGPU implementation) and tfjs's webgpu backend, in one
 * typed object, BackendOptions.webgpu (options.ts): written to run.json's environment, and
 * overridable for measuring them (BATCHLAB_WEBGPU, parsed here from its text by options.ts). Pure.
 */

/**
 * Dawn device toggles batchlab may switch, each trading a safety net for speed. Names are Dawn's
 * (src/dawn/native/Toggles.cpp); the npm `webgpu` package passes them to every device it creates.
 */
export const DAWN_TOGGLES = {
  /** Skips the WebGPU API validation of each call on the host. A wrong call is undefined behaviour instead of an error. */
  skip_validation: 'the host no longer checks API calls: a wrong call is undefined behaviour (a crash or garbage), not an error',
  /** Drops the bounds checks Dawn adds to every buffer access in shaders. */
  disable_robustness: 'shaders lose their bounds checks: an out-of-range read or write touches other memory instead of being clamped',
  /** Stops zeroing workgroup (shared) memory at shader start. */
  disable_workgroup_init: 'workgroup memory starts with whatever was there: a kernel reading before writing sees stale data',
  /** Clears each new buffer when first used (on: the default). Off: buffers are cleared when created. */
  lazy_clear_resource_on_first_use: 'turning it off clears buffers when created instead of on first use: no safety change, a timing one',
} as const;

export type DawnToggle = keyof typeof DAWN_TOGGLES;

export interface WebGpuSettings {
  /** Dawn toggles switched on for the device. */
  enable: readonly DawnToggle[];
  /** Dawn toggles switched off for the device. */
  disable: readonly DawnToggle[];
  /** tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: kernel dispatches recorded before one queue submit (tfjs default 15). */
  submitBatch: number;
}

/** What batchlab uses unless told otherwise (docs/GPU.md gives the measurements behind it). */
export const DEFAULT_WEBGPU_SETTINGS: WebGpuSettings = { enable: [], disable: [], submitBatch: 15 };

/** The variable that overrides the defaults, e.g. `skip_validation,-lazy_clear_resource_on_first_use,submit=30`. */
export const WEBGPU_SETTINGS_ENV = 'BATCHLAB_WEBGPU';

const isToggle = (name: string): name is DawnToggle => Object.hasOwn(DAWN_TOGGLES, name);

/**
 * Parses BATCHLAB_WEBGPU's text: comma-separated `toggle` (switch on), `-toggle` (switch off) and
 * `submit=N` (N >= 1); `default` or empty means the defaults. Returns the settings, or a message
 * saying what is wrong.
 */
export function parseWebGpuSettings(text: string | undefined): WebGpuSettings | string {
  const items = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'default');
  if (items.length === 0) return DEFAULT_WEBGPU_SETTINGS;
  const enable: DawnToggle[] = [];
  const disable: DawnToggle[] = [];
  let submitBatch = DEFAULT_WEBGPU_SETTINGS.submitBatch;
  for (const item of items) {
    const submit = /^submit=(\d+)$/.exec(item);
    if (submit) {
      submitBatch = Number(submit[1]);
      if (submitBatch < 1) return `expected submit=N with N >= 1, got "${item}"`;
      continue;
    }
    const off = item.startsWith('-');
    const name = off ? item.slice(1) : item;
    if (!isToggle(name)) return `expected Dawn toggles (${Object.keys(DAWN_TOGGLES).join(' | ')}, '-' before one to switch it off) or submit=N, got "${item}"`;
    (off ? disable : enable).push(name);
  }
  return { enable, disable, submitBatch };
}

/** The flags of the npm `webgpu` package's create([...]) for these settings. */
export function dawnCreateFlags(s: WebGpuSettings): string[] {
  return [
    ...(s.enable.length ? [`enable-dawn-features=${s.enable.join(',')}`] : []),
    ...(s.disable.length ? [`disable-dawn-features=${s.disable.join(',')}`] : []),
  ];
}

/** run.json environment fields: `webgpu_dawn_toggles` ("+a,-b" or "none") and `webgpu_submit_batch`. */
export function describeWebGpuSettings(s: WebGpuSettings): Record<string, string> {
  const toggles = [...s.enable.map((t) => `+${t}`), ...s.disable.map((t) => `-${t}`)];
  return { webgpu_dawn_toggles: toggles.length ? toggles.join(',') : 'none', webgpu_submit_batch: String(s.submitBatch) };
}
