/**
 * Numbers as text, for verdict sentences, reports and tables: significant digits without an
 * exponent for everyday magnitudes (String(Number(x.toPrecision(d))) drops trailing zeros).
 */

/** Claims' sentences: 3 significant digits; NaN and infinities spelled out; '+' on request. */
export function fmt(x: number, signed = false): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'infinity' : '-infinity';
  const s = String(Number(x.toPrecision(3)));
  return signed && x > 0 ? `+${s}` : s;
}

/** Report tables and charts: `digits` significant digits (default 4); '—' when not finite. */
export function fmtSig(x: number, digits = 4): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : '—';
}
