/**
 * Steps to a target: the optimizer steps each rule needed to first reach the target test
 * metric at its smallest and largest batch size, against perfect scaling (steps halve when the
 * batch doubles), and the critical batch size B_noise of S = S_min (1 + B_noise / B) where the
 * chart fits it (3 or more batch sizes). Pure.
 */
import { describeLeftOut, describeNoiseScale, summarizeNoiseScale, summarizeStepsToTarget, type ClaimSteps } from '../charts/steps-to-target.ts';
import { describeSelection, type SweepView } from '../sweep-view.ts';
import { seedEstimateName, seedInterval } from '../seed-estimate.ts';
import { finding, leftOut, num, type FindingsResult } from './types.ts';

export function findStepsToTarget(view: SweepView, claim?: ClaimSteps): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const topic = 'the steps to reach a target and the critical batch size';
  if (claim) {
    const noise = summarizeNoiseScale(view);
    const interval = `${seedEstimateName(claim, 'fit')}, ${seedInterval(claim)}`;
    out.findings.push(finding('steps-to-target', 'steps-to-target',
      `Critical batch size as claim ${claim.claimId} computes it: B_noise ${num(claim.bNoise)} (${interval}) from the steps to ${claim.metric}${claim.chosen ? `, ${claim.chosen}` : ''}.`,
      [
        ...claim.points.map((p) => `B=${p.batchSize}: ${num(p.steps)} steps${p.lr ? ` at LR ${p.lr}` : ''} (mean over seeds).`),
        ...(claim.leftOut.length ? [describeLeftOut(claim)] : []),
        ...(noise ? [describeNoiseScale(noise)] : []),
      ],
      `Critical batch size (claim ${claim.claimId}): B_noise ${num(claim.bNoise)} (${interval}).`));
    return out;
  }
  if (view.batchSizes.length < 2) {
    out.leftOut.push(leftOut('steps-to-target', topic, 'only one batch size was swept'));
    return out;
  }
  const s = summarizeStepsToTarget(view);
  const metric = view.task === 'classification' ? 'test accuracy' : 'test loss';
  if (!s.panelsOk.length) {
    out.leftOut.push(leftOut('steps-to-target', topic, Number.isFinite(s.target) ? `no rule reached the target ${metric} ${num(s.target)} at two or more batch sizes` : 'no completed run'));
    return out;
  }
  const short: string[] = [];
  const details = s.panelsOk.map((panel) => {
    const rs = s.reached.filter((r) => r.panel === panel).sort((a, b) => a.batch_size - b.batch_size);
    const [a, z] = [rs[0]!, rs[rs.length - 1]!];
    const k = z.batch_size / a.batch_size;
    const speedup = a.steps / z.steps;
    const fit = s.fits.find((f) => f.panel === panel);
    const fitText = fit
      ? `; S = S_min (1 + B_noise / B) fits with a critical batch size B_noise of about ${num(fit.bNoise)} (S_min ${num(fit.sMin)} steps, r² ${num(fit.r2)}, n = ${fit.n} batch sizes; a point estimate, no interval${fit.bNoise > z.batch_size ? `; beyond the largest batch size swept, so an extrapolation` : ''})`
      : '';
    short.push(`${panel} ${num(speedup)}x fewer from B=${a.batch_size} to ${z.batch_size}${fit ? ` (B_noise about ${num(fit.bNoise)})` : ''}`);
    return `${panel}: ${num(a.steps)} steps at B=${a.batch_size}, ${num(z.steps)} at B=${z.batch_size}: ${num(speedup)}x fewer steps for a ${num(k)}x larger batch ` +
      `(perfect scaling would be ${num(k)}x; mean over ${a.seeds}–${z.seeds} seeds)${fitText}.`;
  });
  const missed = s.missed.length ? ` Never reached: ${s.missed.join(', ')}.` : '';
  out.findings.push(finding('steps-to-target', 'steps-to-target',
    `Steps to reach ${metric} ${num(s.target)} (the first evaluation at or past it, best base LR per batch size, ${describeSelection(view)}).${missed}`, details,
    `Steps to ${metric} ${num(s.target)}: ${short.join('; ')}.`));
  return out;
}
