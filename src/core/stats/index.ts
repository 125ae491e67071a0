/**
 * Statistics for verdicts on claims. Pure functions over number arrays, one topic a file:
 * descriptive (mean, std, quantile), t-tests (t intervals and tests), correlation, fits (lines,
 * power laws, the critical batch), equivalence (TOST), distributions (via @stdlib), bootstrap
 * (BCa intervals), power (minimal detectable effect), holm (multiple comparisons).
 */
export * from './descriptive.ts';
export * from './t-tests.ts';
export * from './correlation.ts';
export * from './fits.ts';
export * from './equivalence.ts';
export * from './distributions.ts';
export * from './bootstrap.ts';
export * from './power.ts';
export * from './holm.ts';
export * from './sign-test.ts';
export * from './procedure.ts';
