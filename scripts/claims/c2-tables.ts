/**
 * The C2 tables of the README's BatchNorm section, from the committed summaries (test error in %):
 *   node bin/run-ts.mjs scripts/claims/c2-tables.ts
 * Ghost axis (results/claims/c2-batchnorm-small-batch): per ghost size, BN's error with moving and
 * with recomputed statistics (mean +- sd over seeds) and its final train accuracy; GN and no
 * normalisation (one level each), and the largest change recomputing the statistics makes to a
 * cell's mean. Batch axis (results/claims/c2-plain-batchnorm-batch-size): per norm and batch size,
 * the mean with its 95% t interval over seeds.
 */
import { readFileSync } from 'node:fs';
import { mean, meanCi, std } from '../../src/core/stats/index.ts';
import { parseCsv } from '../../src/results/csv.ts';

const SIZES = [32, 16, 8, 4, 2];
const f2 = (x: number) => x.toFixed(2);

function completedRows(dir: string): Record<string, string>[] {
  const file = `${dir}/summary.csv`;
  return parseCsv(readFileSync(file, 'utf8'), file).rows.map((r) => r.values).filter((r) => r['status'] === 'completed');
}
const errorPct = (rows: Record<string, string>[], column = 'final_test_acc') => rows.map((r) => (1 - Number(r[column])) * 100);

const ghost = completedRows('results/claims/c2-batchnorm-small-batch');
const bnAt = (g: number) => ghost.filter((r) => r['arm'] === 'bn' && r['model.ghostBatchSize'] === String(g));
const meanSd = (xs: number[]) => `${f2(mean(xs))} +- ${f2(std(xs))}`;
console.log(`| images per BN batch | ${SIZES.join(' | ')} |`);
console.log(`| BatchNorm, moving statistics | ${SIZES.map((g) => meanSd(errorPct(bnAt(g)))).join(' | ')} |`);
console.log(`| BatchNorm, recomputed statistics | ${SIZES.map((g) => meanSd(errorPct(bnAt(g), 'precise_bn_test_acc'))).join(' | ')} |`);
console.log(`| BatchNorm, final train accuracy | ${SIZES.map((g) => (mean(bnAt(g).map((r) => Number(r['final_train_acc']))) * 100).toFixed(1)).join(' | ')} |`);
for (const arm of ['gn', 'none']) console.log(`| ${arm} (one level) | ${meanSd(errorPct(ghost.filter((r) => r['arm'] === arm)))} |`);
const shift = Math.max(...SIZES.map((g) => Math.abs(mean(errorPct(bnAt(g), 'precise_bn_test_acc')) - mean(errorPct(bnAt(g))))));
console.log(`largest change of a cell's mean error from recomputed statistics: ${f2(shift)} points\n`);

const plain = completedRows('results/claims/c2-plain-batchnorm-batch-size');
console.log(`| batch | ${SIZES.join(' | ')} |`);
for (const norm of ['batch', 'group']) {
  const cells = SIZES.map((b) => {
    const xs = errorPct(plain.filter((r) => r['model.norm'] === norm && r['batch_size'] === String(b)));
    if (xs.length === 0) return 'not run';
    const ci = meanCi(xs);
    return `${f2(ci.mean)} [${f2(ci.lo)}, ${f2(ci.hi)}] (n=${xs.length})`;
  });
  console.log(`| ${norm} norm | ${cells.join(' | ')} |`);
}
