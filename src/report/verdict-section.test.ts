import { describe, expect, it } from 'vitest';
import type { Verdict } from '../core/claims/types.ts';
import { renderVerdictSection } from './verdict-section.ts';

const verdict = (over: Partial<Verdict> = {}): Verdict => ({
  claimId: 'C2', statement: 'BN <degrades> at small batches & GN does not', kind: 'interaction', metric: 'final_test_error',
  statistic: 'mean interaction', estimate: 0.1234, lo: 0.081, hi: 0.16, level: 0.95, interval: 'bootstrap', n: 3,
  minSeeds: 5, p: 0.0123, pHolm: 0.0246, mde: 0.0456, expect: '> 0', verdict: 'SUPPORTED', reason: 'BN(2) - BN(32) ... "above" the threshold 0.', details: {}, ...over,
});

describe('renderVerdictSection', () => {
  it('renders one row per verdict with its numbers, label class and escaped text', () => {
    const html = renderVerdictSection([verdict(), verdict({ claimId: 'C8', verdict: 'INCONCLUSIVE', lo: NaN, hi: NaN, level: 0.9, interval: 't' })]);
    expect(html.match(/<tr class="verdict-/g)).toHaveLength(2);
    expect(html).toContain('<tr class="verdict-supported" data-claim="C2">');
    expect(html).toContain('<td>0.123</td><td>95% BCa bootstrap: 0.081 to 0.16</td><td>3 (&lt; 5)</td><td>0.0456</td><td>0.0123 (0.0246)</td>');
    expect(html).toContain('<tr class="verdict-inconclusive" data-claim="C8">');
    expect(html).toContain('90% t: NaN to NaN');
    expect(html).toContain('BN &lt;degrades&gt; at small batches &amp; GN does not');
    expect(html).toContain('&quot;above&quot;');
    expect(html).not.toMatch(/<script|https?:/);
  });

  it('shows a dash for numbers a verdict from an older batchlab lacks', () => {
    const old = verdict();
    for (const k of ['p', 'pHolm', 'mde', 'minSeeds'] as const) delete (old as Partial<Verdict>)[k];
    expect(renderVerdictSection([old])).toContain('<td>3</td><td>—</td><td>— (—)</td>');
  });

  it('is empty without verdicts', () => {
    expect(renderVerdictSection([])).toBe('');
  });
});
