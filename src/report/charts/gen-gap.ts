/** Chart 3: generalisation gap (loss: test - train; accuracy: train - test) vs batch size, per rule. */
import type { SweepView } from '../sweep-view.ts';
import type { ChartPlan } from './chart-plan.ts';
import { planMeasuresVsBatch } from './measures-vs-batch.ts';

export function planGenGap(view: SweepView): ChartPlan {
  return planMeasuresVsBatch(view, {
    id: 'gen-gap',
    title: 'Generalisation gap vs batch size',
    measures: [
      { name: 'loss gap (test − train)', get: (s) => s.genGapLoss },
      ...(view.task === 'classification' ? [{ name: 'accuracy gap (train − test)', get: (s: { genGapAcc: number }) => s.genGapAcc }] : []),
    ],
    caption: 'Final gap; positive = the model fits the training set better than the test set.',
    colorTitle: 'scaling rule',
    yTitle: 'gap',
    zero: true,
  });
}
