/**
 * What the two fsyncs of a durable atomic write cost on this disk: 20 writes of a 12 KB file
 * through batchlab's writeFileAtomic (src/results/atomic-write.ts), durable (the file and its
 * folder fsynced) and not, alternating twice; prints the median and p90 ms of each.
 *   node bin/run-ts.mjs scripts/probes/fsync-cost.ts <folder on the disk to test>
 */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../src/results/atomic-write.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bin/run-ts.mjs scripts/probes/fsync-cost.ts <folder>');
await mkdir(dir, { recursive: true });
const content = 'x'.repeat(12000);
for (const durable of [true, false, true, false]) {
  const ms: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await writeFileAtomic(`${dir}/f${i}.csv`, content, { durable });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(durable ? 'fsync   ' : 'no fsync', 'median', ms[10]!.toFixed(2), 'ms, p90', ms[18]!.toFixed(2));
}
