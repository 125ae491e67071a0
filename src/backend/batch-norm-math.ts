/**
 * Batch normalisation in training mode over plain float32 arrays, for backends whose tensors
 * are JavaScript-visible memory (cpu, and wasm through its heap). `x` is row-major [rows, C]:
 * every leading axis of an NHWC (or [N, C]) tensor is a row, the channel the last axis.
 *
 * Forward: per channel the mean and biased variance over the rows, then
 * y = (x - mean) / sqrt(var + eps) * gamma + beta. Sums are kept in float64 and taken about the
 * first row's value (a shift that leaves the variance exact and avoids cancellation).
 *
 * Backward, with xhat = (x - mean) * invstd and R rows:
 *   dbeta = sum(dy), dgamma = sum(dy * xhat),
 *   dx = gamma * invstd * (dy - dbeta / R - xhat * dgamma / R)
 *        + dmean / R + dvar * 2 (x - mean) / R
 * (the last line only when the mean and variance outputs themselves receive a gradient).
 * Each direction reads its inputs twice and writes once, where the same math composed from
 * tensor ops takes a dozen or more full-size passes.
 */

/**
 * Both directions walk the tensor in column blocks: four channels at a time, each block a
 * strided pass over the rows with its sums in local variables (a single channel for the last
 * C mod 4). At C = 16 this runs ~2.5x faster than one row-major pass that keeps its per-channel
 * sums in arrays.
 */
const BLOCK = 4;

/**
 * x's layout [rows, c] (c = gamma's length, n = x's length) and where the blocks of BLOCK
 * channels end (the last c mod BLOCK channels go one at a time).
 */
function channelBlocks(x: Float32Array, gamma: Float32Array): { c: number; n: number; rows: number; blocked: number } {
  const c = gamma.length;
  const n = x.length;
  return { c, n, rows: n / c, blocked: c - (c % BLOCK) };
}

/** Writes y, mean and variance (biased) from x. */
export function batchNormForward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number,
  y: Float32Array, mean: Float32Array, variance: Float32Array,
): void {
  const { c, n, rows, blocked } = channelBlocks(x, gamma);
  for (let k = 0; k < blocked; k += BLOCK) {
    // Sums about the first row's values (exact variance without cancellation).
    const h0 = x[k], h1 = x[k + 1], h2 = x[k + 2], h3 = x[k + 3];
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (let i = k; i < n; i += c) {
      const d0 = x[i] - h0, d1 = x[i + 1] - h1, d2 = x[i + 2] - h2, d3 = x[i + 3] - h3;
      a0 += d0; a1 += d1; a2 += d2; a3 += d3;
      q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3;
    }
    const s0 = finish(k, h0, a0, q0), s1 = finish(k + 1, h1, a1, q1), s2 = finish(k + 2, h2, a2, q2), s3 = finish(k + 3, h3, a3, q3);
    const o0 = beta[k] - mean[k] * s0, o1 = beta[k + 1] - mean[k + 1] * s1;
    const o2 = beta[k + 2] - mean[k + 2] * s2, o3 = beta[k + 3] - mean[k + 3] * s3;
    for (let i = k; i < n; i += c) {
      y[i] = x[i] * s0 + o0; y[i + 1] = x[i + 1] * s1 + o1; y[i + 2] = x[i + 2] * s2 + o2; y[i + 3] = x[i + 3] * s3 + o3;
    }
  }
  for (let k = blocked; k < c; k++) {
    const h = x[k];
    let a = 0, q = 0;
    for (let i = k; i < n; i += c) {
      const d = x[i] - h;
      a += d;
      q += d * d;
    }
    const sc = finish(k, h, a, q);
    const o = beta[k] - mean[k] * sc;
    for (let i = k; i < n; i += c) y[i] = x[i] * sc + o;
  }

  /** Stores channel k's mean and variance from its shifted sums; returns gamma * invstd. */
  function finish(k: number, shift: number, sum: number, sumSq: number): number {
    const m1 = sum / rows;
    const v = Math.max(0, sumSq / rows - m1 * m1);
    mean[k] = shift + m1;
    variance[k] = v;
    return gamma[k] / Math.sqrt(v + epsilon);
  }
}

/** Writes dx, dgamma and dbeta. `dmean`/`dvar` are the gradients of the statistics outputs, or null. */
export function batchNormBackward(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array,
  epsilon: number, dmean: Float32Array | null, dvar: Float32Array | null,
  dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const { c, n, rows, blocked } = channelBlocks(x, gamma);
  // dx = a * dy + b * x + d per channel, from sum(dy) and sum(dy * (x - mean)).
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  const d = new Float64Array(c);
  for (let k = 0; k < blocked; k += BLOCK) {
    const m0 = mean[k], m1 = mean[k + 1], m2 = mean[k + 2], m3 = mean[k + 3];
    let g0 = 0, g1 = 0, g2 = 0, g3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (let i = k; i < n; i += c) {
      const e0 = dy[i], e1 = dy[i + 1], e2 = dy[i + 2], e3 = dy[i + 3];
      g0 += e0; g1 += e1; g2 += e2; g3 += e3;
      p0 += e0 * (x[i] - m0); p1 += e1 * (x[i + 1] - m1); p2 += e2 * (x[i + 2] - m2); p3 += e3 * (x[i + 3] - m3);
    }
    coefficients(k, g0, p0); coefficients(k + 1, g1, p1); coefficients(k + 2, g2, p2); coefficients(k + 3, g3, p3);
    const a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
    const b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
    const c0 = d[k], c1 = d[k + 1], c2 = d[k + 2], c3 = d[k + 3];
    for (let i = k; i < n; i += c) {
      dx[i] = a0 * dy[i] + b0 * x[i] + c0;
      dx[i + 1] = a1 * dy[i + 1] + b1 * x[i + 1] + c1;
      dx[i + 2] = a2 * dy[i + 2] + b2 * x[i + 2] + c2;
      dx[i + 3] = a3 * dy[i + 3] + b3 * x[i + 3] + c3;
    }
  }
  for (let k = blocked; k < c; k++) {
    const m = mean[k];
    let g = 0, p = 0;
    for (let i = k; i < n; i += c) {
      g += dy[i];
      p += dy[i] * (x[i] - m);
    }
    coefficients(k, g, p);
    const ak = a[k], bk = b[k], ck = d[k];
    for (let i = k; i < n; i += c) dx[i] = ak * dy[i] + bk * x[i] + ck;
  }

  /** Channel k's dgamma, dbeta and dx coefficients from sum(dy) and sum(dy * (x - mean)). */
  function coefficients(k: number, sdy: number, sdyx: number): void {
    const inv = 1 / Math.sqrt(variance[k] + epsilon);
    a[k] = gamma[k] * inv;
    let bk = (-a[k] * inv * inv * sdyx) / rows;
    let dk = (-a[k] * sdy) / rows;
    if (dvar) bk += (2 * dvar[k]) / rows;
    if (dmean) dk += dmean[k] / rows;
    b[k] = bk;
    d[k] = dk - bk * mean[k];
    dgamma[k] = sdyx * inv;
    dbeta[k] = sdy;
  }
}
