/**
 * WGSL for per-channel sums over the rows of a [rows, C] (channels-last) tensor, shared by the
 * BatchNorm and GroupNorm kernels. A workgroup of 256 threads takes a block of L = min(C, 256)
 * channels: thread lid works on channel lane lid % L of the block and row lane lid / L, so that
 * neighbouring threads read neighbouring addresses and each element is read once per pass;
 * its row lane steps through the rows by the number of row lanes, 256 / L (threads beyond
 * L * that are idle). Each thread adds in runs of 64 before adding the run to its total (so the
 * rounding error grows with 64 + rows / 64, not rows), then the first row lane adds the row
 * lanes' totals in order: the same sums in the same order on every run.
 */
export const COLUMN_WG = 256;

/** Workgroup memory for `count` sums at once, and the per-lane statistic. */
export function columnSumShared(count: number): string {
  return Array.from({ length: count }, (_, k) => `var<workgroup> red${k}: array<f32, ${COLUMN_WG}>;`).join('\n') +
    `\nvar<workgroup> stat: array<f32, ${COLUMN_WG}>;`;
}

/**
 * Sums each of `exprs` (WGSL of `e` = r * C + c and `r`, the row) over rows [`start`, `rows`) for
 * this thread's channel c; then, in the thread of row lane 0 of each valid channel, runs `use`
 * with the sums as s0, s1, ... Every thread must reach it (it holds barriers).
 */
export function columnSums(exprs: string[], rows: string, use: string, start = '0u'): string {
  const k = exprs.map((_, i) => i);
  return `{
    ${k.map((i) => `var total${i} = 0.0; var run${i} = 0.0;`).join(' ')}
    if (rl < rowLanes && c < u.channels) {
      var n = 0u;
      for (var r = ${start} + rl; r < ${rows}; r = r + rowLanes) {
        let e = r * u.channels + c;
        ${k.map((i) => `run${i} = run${i} + ${exprs[i]};`).join(' ')}
        n = n + 1u;
        if (n == 64u) {
          ${k.map((i) => `total${i} = total${i} + run${i}; run${i} = 0.0;`).join(' ')}
          n = 0u;
        }
      }
    }
    ${k.map((i) => `red${i}[lid] = total${i} + run${i};`).join(' ')}
    workgroupBarrier();
    if (rl == 0u && c < u.channels) {
      ${k.map((i) => `var s${i} = 0.0;`).join(' ')}
      for (var j = 0u; j < rowLanes; j = j + 1u) {
        ${k.map((i) => `s${i} = s${i} + red${i}[j * L + lane];`).join(' ')}
      }
      ${use}
    }
    workgroupBarrier();
  }`;
}

/** The lanes and blocks uniforms for C channels. */
export function laneUniforms(channels: number): [string, 'u32', number][] {
  const lanes = Math.min(channels, COLUMN_WG);
  return [['lanes', 'u32', lanes], ['blocks', 'u32', Math.ceil(channels / lanes)]];
}
