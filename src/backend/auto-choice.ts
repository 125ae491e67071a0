/** The sentence `auto` leaves in logs and manifests to explain its pick; pure. */
import type { BackendName } from './names.ts';

export interface Skipped {
  name: BackendName;
  reason: string;
}

/**
 * e.g. "tensorflow: @tensorflow/tfjs-node-gpu not installed; webgpu: no Vulkan adapter; using wasm".
 * `note` is what the chosen backend wants known, e.g. a silent CPU fallback.
 */
export function explainAutoChoice(skipped: Skipped[], chosen: BackendName, note?: string): string {
  const parts = skipped.map((s) => `${s.name}: ${s.reason}`);
  parts.push(`using ${chosen}${note ? ` (${note})` : ''}`);
  return parts.join('; ');
}
