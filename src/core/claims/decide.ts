/**
 * The verdict rule: SUPPORTED when the interval lies entirely in the claimed region, NOT
 * SUPPORTED when it lies entirely outside it, INCONCLUSIVE when it straddles an edge or is
 * missing.
 */
import { fmt } from '../format-number.ts';
import type { Expectation, VerdictLabel } from './types.ts';

export interface Decision {
  verdict: VerdictLabel;
  /** Clause for the sentence, e.g. 'above the threshold 0'. */
  clause: string;
}

/** The claimed region in words: '> 0', '< -0.5', 'in [-1.2, -0.8]'; `scale` turns fractions into points. */
export function describeExpectation(e: Expectation, scale = 1): string {
  if ('above' in e) return `> ${fmt(e.above * scale)}`;
  if ('below' in e) return `< ${fmt(e.below * scale)}`;
  return `in [${fmt(e.between[0] * scale)}, ${fmt(e.between[1] * scale)}]`;
}

/** `lo`, `hi`: the interval; NaN bounds are INCONCLUSIVE. A bound equal to a threshold is not clear of it. */
export function decide(lo: number, hi: number, e: Expectation, scale = 1, unit = ''): Decision {
  const u = unit ? ` ${unit}` : '';
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) {
    return { verdict: 'INCONCLUSIVE', clause: 'the interval could not be computed' };
  }
  if ('above' in e || 'below' in e) {
    const above = 'above' in e;
    const t = above ? (e as { above: number }).above : (e as { below: number }).below;
    const where = `the threshold ${fmt(t * scale)}${u}`;
    if (above ? lo > t : hi < t) return { verdict: 'SUPPORTED', clause: `entirely ${above ? 'above' : 'below'} ${where}` };
    if (above ? hi <= t : lo >= t) {
      return { verdict: 'NOT SUPPORTED', clause: `entirely ${above ? 'at or below' : 'at or above'} ${where}, the opposite of the claim` };
    }
    return { verdict: 'INCONCLUSIVE', clause: `the interval straddles ${where}` };
  }
  const [a, b] = e.between;
  const band = `the band ${fmt(a * scale)} to ${fmt(b * scale)}${u}`;
  if (lo >= a && hi <= b) return { verdict: 'SUPPORTED', clause: `inside ${band}` };
  if (hi < a || lo > b) return { verdict: 'NOT SUPPORTED', clause: `entirely outside ${band}` };
  return { verdict: 'INCONCLUSIVE', clause: `the interval overlaps an edge of ${band}` };
}

/** Equivalence: the interval strictly inside (-margin, margin) is SUPPORTED; entirely beyond it, NOT SUPPORTED. */
export function decideEquivalence(lo: number, hi: number, margin: number, scale = 1, unit = ''): Decision {
  const m = `the margin +-${fmt(margin * scale)}${unit ? ` ${unit}` : ''}`;
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return { verdict: 'INCONCLUSIVE', clause: 'the interval could not be computed' };
  if (lo > -margin && hi < margin) return { verdict: 'SUPPORTED', clause: `inside ${m}` };
  if (lo >= margin || hi <= -margin) return { verdict: 'NOT SUPPORTED', clause: `entirely beyond ${m}` };
  return { verdict: 'INCONCLUSIVE', clause: `the interval crosses ${m}` };
}
