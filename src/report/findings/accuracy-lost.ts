/**
 * What the largest batch loses against the smallest at the same budget, per scaling rule: the
 * metric of each batch size's best configuration for that rule (best base LR), paired by seed,
 * mean difference with its 95% t interval over seeds. Pure.
 */
import { meanCi } from '../../core/stats/index.ts';
import type { SweepView } from '../sweep-view.ts';
import { bySeed, ci, covers, finding, leftOut, metricScale, num, pairedBySeed, plural, signed, type FindingsResult } from './types.ts';

export function findAccuracyLost(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const m = metricScale(view);
  for (const panel of view.panels) {
    const id = `accuracy-lost-${panel}`;
    const topic = `the ${m.name} lost from the smallest to the largest batch size for ${panel}`;
    const best = view.best.filter((g) => g.panel === panel).sort((a, b) => a.batchSize - b.batchSize);
    const all = view.groups.filter((g) => g.panel === panel);
    const bMax = Math.max(...all.map((g) => g.batchSize));
    if (best.length < 2) {
      out.leftOut.push(leftOut(id, topic, best.length ? `only B=${best[0]!.batchSize} has a completed configuration` : 'no configuration completed'));
      continue;
    }
    const small = best[0]!;
    const large = best[best.length - 1]!;
    const epochs = new Set([...small.completed, ...large.completed].map((r) => r.summary.epochs));
    if (epochs.size > 1) {
      out.leftOut.push(leftOut(id, topic, `the runs trained for different numbers of epochs (${[...epochs].map(num).join(', ')}), so this is not a fixed-epoch comparison`));
      continue;
    }
    const diffs = pairedBySeed(bySeed(small, m.get), bySeed(large, m.get)).map(m.toUnit);
    if (diffs.length < 2) {
      out.leftOut.push(leftOut(id, topic, `${plural(diffs.length, 'seed')} completed at both B=${small.batchSize} and B=${large.batchSize}; an interval needs two or more`));
      continue;
    }
    const c = meanCi(diffs);
    // diffs are small - large: a drop in accuracy is positive, a rise in loss is negative.
    const lost = m.higherIsBetter ? c.mean : -c.mean;
    const [lo, hi] = m.higherIsBetter ? [c.lo, c.hi] : [-c.hi, -c.lo];
    const lrNote = view.baseLrs.length > 1 ? `, each at its best base LR, ${num(small.baseLr)} and ${num(large.baseLr)}` : '';
    const verb = m.higherIsBetter ? (lost >= 0 ? 'falls' : 'rises') : lost >= 0 ? 'rises' : 'falls';
    const change = covers(lo, hi, 0)
      ? `changes by ${signed(-lost)}${m.diffUnit}, not distinguishable from no change`
      : `${verb} by about ${num(Math.abs(lost))}${m.diffUnit}`;
    const missing = bMax > large.batchSize ? ` At B=${bMax} no configuration of ${panel} completed without diverging.` : '';
    out.findings.push(finding(
      id,
      'final-metric',
      `${panel}, ${num([...epochs][0]!)} epochs: from B=${small.batchSize} to B=${large.batchSize} the ${m.name} ${change} ` +
        `(${m.show(meanOf(small, m.get))} to ${m.show(meanOf(large, m.get))}${lrNote}; ${ci(lo, hi)}${m.diffUnit} for the paired ${m.higherIsBetter ? 'drop' : 'rise'}, n = ${diffs.length} seeds).${missing}`,
      [],
      `${panel}: ${m.name} ${m.show(meanOf(small, m.get))} at B=${small.batchSize}, ${m.show(meanOf(large, m.get))} at B=${large.batchSize} ` +
        `(${signed(-lost)}${m.diffUnit}, ${ci(-hi, -lo)}, ${diffs.length} seeds${covers(lo, hi, 0) ? ': not distinguishable from no change' : ''}).`,
    ));
  }
  return out;
}

function meanOf(g: SweepView['groups'][number], get: (s: SweepView['groups'][number]['runs'][number]['summary']) => number): number {
  const xs = [...bySeed(g, get).values()];
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
