/** Final test error (or loss) vs batch size, one line per panel: e.g. BN vs GroupNorm over B. */
import type { SweepView } from '../sweep-view.ts';
import type { ChartPlan } from './chart-plan.ts';
import { planMeasuresVsBatch } from './measures-vs-batch.ts';

export function planFinalMetric(view: SweepView): ChartPlan {
  return planMeasuresVsBatch(view, {
    id: 'final-metric',
    title: 'Final test metric vs batch size',
    measures: [
      ...(view.task === 'classification' ? [{ name: 'test error (1 − accuracy)', get: (s: { finalTestAcc: number }) => 1 - s.finalTestAcc }] : []),
      { name: 'test loss', get: (s) => s.finalTestLoss },
    ],
    caption: 'Final evaluation, in inference mode; one line per panel.',
    colorTitle: 'panel',
    yTitle: 'value',
    zero: false,
  });
}
