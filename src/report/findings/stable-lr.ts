/**
 * The largest stable learning rate per batch size and where divergence starts: over every rule
 * and base LR of a family, the largest applied LR with no diverged seed and the smallest applied
 * LR with a diverged one. The true limit lies between them. Pure.
 */
import type { SweepView } from '../sweep-view.ts';
import { families, finding, inFamily, leftOut, num, type FindingsResult } from './types.ts';

export interface StableLrRow {
  batchSize: number;
  /** Largest applied LR with every seed completed; NaN when none. */
  stable: number;
  /** Smallest applied LR with a diverged seed; NaN when none diverged. */
  diverged: number;
  /** Diverged and total seeds at `diverged`. */
  divergedSeeds: number;
  seeds: number;
}

export function stableLrRows(view: SweepView, groups: SweepView['groups']): StableLrRow[] {
  return view.batchSizes.flatMap((b) => {
    const here = groups.filter((g) => g.batchSize === b && (g.completed.length > 0 || g.diverged > 0));
    if (!here.length) return [];
    const stable = here.filter((g) => g.diverged === 0 && g.completed.length > 0).map((g) => g.lr);
    const div = here.filter((g) => g.diverged > 0).sort((a, c) => a.lr - c.lr);
    const first = div[0];
    const atFirst = div.filter((g) => g.lr === first?.lr);
    return [{
      batchSize: b,
      stable: stable.length ? Math.max(...stable) : NaN,
      diverged: first ? first.lr : NaN,
      divergedSeeds: atFirst.reduce((n, g) => n + g.diverged, 0),
      seeds: atFirst.reduce((n, g) => n + g.runs.length, 0),
    }];
  });
}

export function findStableLr(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const topic = 'the largest stable learning rate per batch size';
  for (const { family, groups } of families(view)) {
    const id = `stable-lr${family ? `-${family}` : ''}`;
    const rows = stableLrRows(view, groups);
    const lrs = new Set(groups.map((g) => g.lr));
    if (lrs.size < 2) {
      out.leftOut.push(leftOut(id, topic + inFamily(family), `only one learning rate (${num([...lrs][0] ?? NaN)}) was tried`));
      continue;
    }
    const anyDiverged = rows.filter((r) => Number.isFinite(r.diverged));
    const perB = rows.map((r) => {
      if (!Number.isFinite(r.diverged)) return `B=${r.batchSize}: at least ${num(r.stable)} (nothing diverged up to there)`;
      if (!Number.isFinite(r.stable)) return `B=${r.batchSize}: below ${num(r.diverged)} (every LR tried diverged in some seed)`;
      const between = r.stable < r.diverged ? `, so the limit lies between ${num(r.stable)} and ${num(r.diverged)}` : ` (a larger LR, ${num(r.stable)}, was stable: divergence there is not monotone in the LR)`;
      return `B=${r.batchSize}: ${num(r.stable)}; ${num(r.diverged)} diverged in ${r.divergedSeeds} of ${r.seeds} seeds${between}`;
    });
    let text: string;
    let headline: string;
    if (!anyDiverged.length) {
      const top = Math.max(...rows.map((r) => r.stable).filter(Number.isFinite));
      text = `No run diverged${inFamily(family)}: every applied LR tried, up to ${num(top)}, was stable at every batch size, so the largest stable LRs lie above the LRs tried.`;
      headline = `No run diverged${inFamily(family)}: every LR tried (up to ${num(top)}) was stable at every batch size.`;
    } else {
      const start = anyDiverged[0]!;
      const monotone = rows.every((r, i) => i === 0 || !(Number.isFinite(r.stable) && Number.isFinite(rows[i - 1]!.stable)) || r.stable >= rows[i - 1]!.stable);
      text = `Divergence starts at B=${start.batchSize} with applied LR ${num(start.diverged)} (${start.divergedSeeds} of ${start.seeds} seeds)${inFamily(family)}; ` +
        `the largest stable applied LR (no seed diverged) per batch size is ${rows.map((r) => `${num(r.stable)} at B=${r.batchSize}`).join(', ')}` +
        `${monotone ? ', growing or flat with the batch size' : ', not monotone in the batch size'}. Each bound is only as fine as the LR grid.`;
      headline = `Largest stable LR${inFamily(family)}: ${rows.map((r) => `${Number.isFinite(r.stable) ? num(r.stable) : 'none'} at B=${r.batchSize}`).join(', ')}; ` +
        `${anyDiverged.map((r) => `${num(r.diverged)} diverged at B=${r.batchSize}`).join(', ')}.`;
    }
    out.findings.push(finding(id, 'stable-lr', text, perB, headline));
  }
  return out;
}
