/**
 * Which scaling rule wins at each batch size. The rules are compared as they are used: one base
 * LR, tuned at the reference batch size B0 (where every rule gives the same LR), then scaled by
 * each rule. At each batch size the rule with the best mean final metric is compared with the
 * runner-up by the paired difference over seeds (95% t interval); when the interval covers 0 the
 * two are reported as not distinguishable. Pure.
 */
import { meanCi } from '../../core/stats/index.ts';
import type { ConfigGroup, SweepView } from '../sweep-view.ts';
import { groupScore, isBetter, selectionScore } from '../sweep-view.ts';
import { bySeed, ci, covers, families, finding, inFamily, leftOut, metricScale, num, pairedBySeed, plural, ruleOf, type FindingsResult } from './types.ts';

/** B0: the batch size at which a scaling rule other than none leaves the base LR unchanged. */
export function referenceBatchSize(groups: readonly ConfigGroup[]): number {
  const at = groups.filter((g) => ruleOf(g) !== 'none' && g.lr === g.baseLr).map((g) => g.batchSize);
  return at.length ? at[0]! : NaN;
}

/** The base LR with the best mean metric at B0 (fully stable configurations first); NaN without B0. */
export function tunedBaseLr(view: SweepView, groups: readonly ConfigGroup[], b0: number): number {
  let best: ConfigGroup | undefined;
  for (const g of groups) {
    if (g.batchSize !== b0 || !Number.isFinite(selectionScore(g, view))) continue;
    const stabler = best !== undefined && (g.diverged === 0) !== (best.diverged === 0);
    if (!best || (stabler ? g.diverged === 0 : isBetter(selectionScore(g, view), selectionScore(best, view), view.task))) best = g;
  }
  return best ? best.baseLr : NaN;
}

export function findRuleWinner(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const m = metricScale(view);
  for (const { family, groups } of families(view)) {
    const id = `rule-winner${family ? `-${family}` : ''}`;
    const topic = `which scaling rule wins at each batch size${inFamily(family)}`;
    const rules = [...new Set(groups.map(ruleOf))];
    if (rules.length < 2) {
      out.leftOut.push(leftOut(id, topic, `only one scaling rule (${rules[0] ?? 'none'}) was swept`));
      continue;
    }
    const b0 = referenceBatchSize(groups);
    const base = Number.isFinite(b0) ? tunedBaseLr(view, groups, b0) : NaN;
    const baseLrs = [...new Set(groups.map((g) => g.baseLr))];
    const baseText = Number.isFinite(base)
      ? baseLrs.length > 1 ? `base LR ${num(base)}, the best at the reference batch size B0=${b0}, scaled by each rule` : `base LR ${num(base)} at B0=${b0}, scaled by each rule`
      : '';
    if (!Number.isFinite(base) && baseLrs.length > 1) {
      out.leftOut.push(leftOut(id, topic, 'the reference batch size (where the rules agree) was not swept, so there is no single tuned base LR to scale'));
      continue;
    }
    const pick = (rule: string, b: number) => groups.find((g) => ruleOf(g) === rule && g.batchSize === b && (Number.isFinite(base) ? g.baseLr === base : true));
    const details: string[] = [];
    const winners: string[] = [];
    const divergedAt: string[] = [];
    let tooFewSeeds = 0;
    let decided = 0; // batch sizes with a clear winner
    for (const b of view.batchSizes) {
      const cands = rules.map((r) => pick(r, b)).filter((g): g is ConfigGroup => !!g && (g.completed.length > 0 || g.diverged > 0));
      if (cands.length < 2) continue;
      if (new Set(cands.map((g) => g.lr)).size === 1) {
        details.push(`B=${b}: every rule gives the same LR (${num(cands[0]!.lr)}) here, so they tie.`);
        continue;
      }
      // Rank: fully stable first, then by mean metric.
      const ranked = [...cands].sort((x, y) => {
        if ((x.diverged === 0) !== (y.diverged === 0)) return x.diverged === 0 ? -1 : 1;
        const [sx, sy] = [groupScore(x, view.task), groupScore(y, view.task)];
        if (!Number.isFinite(sx) || !Number.isFinite(sy)) return Number.isFinite(sx) ? -1 : 1;
        return isBetter(sx, sy, view.task) ? -1 : isBetter(sy, sx, view.task) ? 1 : 0;
      });
      const [win, second] = [ranked[0]!, ranked[1]!];
      const divText = ranked.filter((g) => g.diverged > 0).map((g) => `${ruleOf(g)} (LR ${num(g.lr)}) diverged in ${g.diverged} of ${g.runs.length} seeds`);
      divergedAt.push(...ranked.filter((g) => g.diverged > 0).map((g) => `${ruleOf(g)} at B=${b}`));
      const lead = `B=${b}: ${ruleOf(win)} (LR ${num(win.lr)}, ${m.show(groupScore(win, view.task))})`;
      if (second.diverged > 0 && win.diverged === 0) {
        details.push(`${lead} wins; ${divText.join('; ')}.`);
        winners.push(`${ruleOf(win)} at B=${b}`);
        decided++;
        continue;
      }
      const diffs = pairedBySeed(bySeed(win, m.get), bySeed(second, m.get)).map(m.toUnit);
      if (diffs.length < 2) {
        tooFewSeeds++;
        details.push(`${lead} is ahead of ${ruleOf(second)} (${m.show(groupScore(second, view.task))}) on ${plural(diffs.length, 'paired seed')}: too few for an interval.`);
        continue;
      }
      const c = meanCi(diffs);
      const [lo, hi] = m.higherIsBetter ? [c.lo, c.hi] : [-c.hi, -c.lo];
      const d = Math.abs(c.mean);
      const clear = !covers(lo, hi, 0);
      if (clear) {
        decided++;
        winners.push(`${ruleOf(win)} at B=${b}`);
      }
      const verdict = !clear
        ? `is not distinguishable from ${ruleOf(second)} (${m.show(groupScore(second, view.task))}): the interval of the paired difference covers 0`
        : `beats ${ruleOf(second)} (${m.show(groupScore(second, view.task))}) by about ${num(d)}${m.diffUnit}`;
      details.push(`${lead} ${verdict} (difference ${ci(lo, hi)}${m.diffUnit}, n = ${diffs.length} paired seeds)${divText.length ? `; ${divText.join('; ')}` : ''}.`);
    }
    if (!details.length) {
      out.leftOut.push(leftOut(id, topic, 'no batch size has two or more rules with a completed or diverged run'));
      continue;
    }
    out.findings.push(finding(
      id,
      'final-metric',
      `Scaling rules${inFamily(family)} at each batch size by final ${m.name}${baseText ? ` (${baseText})` : ''}: ` +
        `a clear winner at ${decided} of ${details.length} batch sizes${tooFewSeeds ? `, ${tooFewSeeds} with too few seeds to tell` : ''}; elsewhere the leading rules are not distinguishable or tie.`,
      details,
      `Scaling rules${inFamily(family)}${Number.isFinite(base) ? ` (base LR ${num(base)} at B0=${b0})` : ''}: ` +
        `${winners.length ? `a clear winner at ${decided} of ${details.length} batch sizes (${winners.join(', ')})` : `no clear winner at any of ${details.length} batch sizes`}, by ${m.name}` +
        `${divergedAt.length ? `; diverged: ${divergedAt.join(', ')}` : ''}.`,
    ));
  }
  return out;
}
