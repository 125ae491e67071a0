/**
 * Per-step training losses made readable: smoothed as TensorBoard's scalar charts smooth them, and
 * thinned to a few hundred points for drawing. Pure.
 */

/**
 * Examples the loss-curves chart averages a step's loss over: a run at batch size B is smoothed with
 * weight 1 - B / SMOOTHING_EXAMPLES (0, none, from B = SMOOTHING_EXAMPLES up), an EMA whose time
 * constant is SMOOTHING_EXAMPLES / B steps. One fixed weight (TensorBoard's slider) would smooth a
 * batch-16 run's noisy steps too little or lag a 14-step batch-1024 run by most of its length; a
 * step's loss is a mean over B examples, so its noise depends on B, and this evens it out.
 */
export const SMOOTHING_EXAMPLES = 512;

/** The smoothing weight of a run at batch size `batchSize` (see SMOOTHING_EXAMPLES), in [0, 1). */
export function smoothingWeightFor(batchSize: number): number {
  return Math.max(0, 1 - batchSize / SMOOTHING_EXAMPLES);
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight `w` in [0, 1) (0: none),
 * debiased so early values are not pulled toward 0: m_k = w m_{k-1} + (1 - w) x_k from m_0 = 0,
 * reported as m_k / (1 - w^k), k counting the finite values so far. A non-finite value is passed
 * through as it is and does not enter the average. Same length as `values`.
 */
export function smoothEma(values: readonly number[], w: number): number[] {
  if (!(w >= 0 && w < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${w}`);
  const out: number[] = new Array(values.length);
  let m = 0;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      out[i] = x;
      continue;
    }
    m = w * m + (1 - w) * x;
    k += 1;
    out[i] = m / (1 - w ** k);
  }
  return out;
}

/**
 * Indices of the points to draw from a series at increasing positions `xs` (all > 0): the first
 * and last, and the first point of each of `bins` equal bins in x and of `bins` equal bins in
 * log x, so the thinned line keeps its shape on a linear axis and on a log one. At most
 * 2 * bins + 2 indices, in increasing order; every index when there are no more than that.
 */
export function thinForDrawing(xs: readonly number[], bins: number): number[] {
  const n = xs.length;
  if (n <= 2 * bins + 2) return xs.map((_, i) => i);
  const [lo, hi] = [xs[0]!, xs[n - 1]!];
  const linear = (x: number) => Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins));
  const logOf = (x: number) => Math.min(bins - 1, Math.floor((Math.log(x / lo) / Math.log(hi / lo)) * bins));
  const kept: number[] = [0];
  let [lastLinear, lastLog] = [linear(lo), logOf(lo)];
  for (let i = 1; i < n - 1; i++) {
    const [a, b] = [linear(xs[i]!), logOf(xs[i]!)];
    if (a !== lastLinear || b !== lastLog) kept.push(i);
    [lastLinear, lastLog] = [a, b];
  }
  kept.push(n - 1);
  return kept;
}
