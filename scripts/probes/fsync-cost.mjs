// What the two fsyncs of an atomic write cost on this disk: 20 writes of a 12 KB file with
// write-file-atomic, with fsync (and the folder fsynced after, as results/atomic-write.ts does)
// and without, alternating twice; prints the median and p90 ms of each.
//   node scripts/probes/fsync-cost.mjs <folder on the disk to test>
import wfa from 'write-file-atomic';
import { open, mkdir } from 'node:fs/promises';
const dir = process.argv[2]; await mkdir(dir, { recursive: true });
const content = 'x'.repeat(12000);
for (const fsync of [true, false, true, false]) {
  const t = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await wfa(`${dir}/f${i}.csv`, content, { fsync });
    if (fsync) { const h = await open(dir, 'r'); await h.sync(); await h.close(); }
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(fsync ? 'fsync   ' : 'no fsync', 'median', t[10].toFixed(2), 'ms, p90', t[18].toFixed(2));
}
