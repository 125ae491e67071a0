/** Which charts a results directory gets, in report order; charts that do not apply say why. Pure. */
import type { ResultsData } from '../results/read-results.ts';
import type { ChartPlan } from './charts/chart-plan.ts';
import { planFinalHeatmap } from './charts/final-heatmap.ts';
import { planFinalMetric } from './charts/final-metric.ts';
import { numericAxis, planFinalMetricByAxis } from './charts/final-metric-by-axis.ts';
import { planGenGap } from './charts/gen-gap.ts';
import { planLossCurves } from './charts/loss-curves.ts';
import { planStableLr } from './charts/stable-lr.ts';
import { claimStepsView, planStepsToTarget } from './charts/steps-to-target.ts';
import type { Verdict } from '../core/claims/types.ts';
import { planThroughput } from './charts/throughput.ts';
import { viewSweep, type SweepView } from './sweep-view.ts';
import { summarizeFindings, type FindingsResult } from './findings/index.ts';
import { claimBestLrViews } from './findings/claim-best-lr.ts';

/**
 * `verdicts`: what `batchlab verify` saved for this sweep, and `claims` the resolved claims it
 * saved beside them; a critical-batch claim among them replaces the steps-to-target chart's own
 * target, LR choice and fit with the claim's, and a tuned-slope claim the best-LR finding's.
 */
export function planReport(data: ResultsData, verdicts: readonly Verdict[] = [], claims: readonly unknown[] = []): { view: SweepView; charts: ChartPlan[]; findings: FindingsResult } {
  const view = viewSweep(data);
  const claimSteps = claimStepsView(verdicts);
  return {
    view,
    findings: summarizeFindings(view, { steps: claimSteps, bestLr: claimBestLrViews(verdicts, claims) }),
    charts: [
      planLossCurves(data, view),
      planFinalHeatmap(view),
      planFinalMetric(view),
      // Only for sweeps with a numeric design axis besides B (e.g. a ghost batch size): other
      // sweeps have nothing to plot against, and listing it as not drawn would only be noise.
      ...(numericAxis(view) !== null ? [planFinalMetricByAxis(view)] : []),
      planGenGap(view),
      planStepsToTarget(view, claimSteps),
      planThroughput(data, view),
      planStableLr(view),
    ],
  };
}
