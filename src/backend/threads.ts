/** Threads for the native backend's kernel pools (oneDNN's OpenMP, OpenBLAS); pure. */

/**
 * Threads each of `workers` processes may use on `cores` cores: an explicit choice (--threads /
 * BATCHLAB_THREADS) wins; otherwise the cores are split evenly, at least one each, so workers x
 * threads never exceeds the cores unless there are more workers than cores.
 */
export function planThreads(cores: number, workers: number, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

/** A --threads / BATCHLAB_THREADS value: a positive integer, or an error message. */
export function parseThreads(raw: unknown): number | string {
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : `expected a positive integer, got ${JSON.stringify(raw)}`;
}
