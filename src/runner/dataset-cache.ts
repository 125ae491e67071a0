/** Loads each distinct data config once per process; sweeps share the tensors between runs. */
import { loadDataset, type Dataset, type DataConfig } from '../data/index.ts';
import type { DataSpec } from '../config/schema.ts';

export class DatasetCache {
  private readonly entries = new Map<string, Promise<Dataset>>();

  get(spec: DataSpec): Promise<Dataset> {
    const key = JSON.stringify(spec);
    const cached = this.entries.get(key);
    if (cached) return cached;
    const entry = loadDataset(spec as DataConfig);
    entry.catch(() => this.entries.delete(key));
    this.entries.set(key, entry);
    return entry;
  }

  async dispose(): Promise<void> {
    const all = await Promise.allSettled(this.entries.values());
    for (const r of all) if (r.status === 'fulfilled') r.value.dispose();
    this.entries.clear();
  }
}
