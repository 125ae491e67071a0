/**
 * The `claim:` block of a spec: what `batchlab verify` tests on a sweep's results. Schema for
 * types and defaults, then named cross-field rules; issues are located at `claim.<path>`.
 * The meaning of every key is in docs/CLAIMS.md.
 */
import { z } from 'zod';
import { METRIC_NAMES, TARGET_METRICS } from '../core/claims/metric.ts';
import { TEST_KINDS, type Claim } from '../core/claims/types.ts';
import type { Issue } from '../errors.ts';
import { fraction, integer, oneOf, positiveInt, positiveNumber, text } from './fields.ts';
import { formatSchemaIssues } from './format-issues.ts';

const finite = () => z.number({ error: 'expected a number' }).finite({ error: 'expected a finite number' });

const selector = () =>
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown())], { error: 'expected a value (text, number, boolean or list)' }), {
    error: 'expected a map of column -> value, e.g. { model.norm: batch, batch_size: 2 }',
  }).default({});

const labels = () => z.record(z.string(), text(), { error: 'expected a map of group -> label' }).default({});

const metricSchema = z.strictObject({
  name: oneOf(METRIC_NAMES as [string, ...string[]]), // a registry metric (core/claims/metric.ts)
  column: text().optional(), // curve column for steps_to_target, examples_to_target, curve
  target: finite().optional(), // value the curve column must reach
  reach: oneOf(['above', 'below'] as const).optional(), // default: above for *_acc columns, else below
  reduce: oneOf(['last', 'mean', 'min', 'max'] as const).optional(), // curve: how rows combine (default last)
  goal: oneOf(['max', 'min'] as const).optional(), // better direction, for tuning (default from the metric)
  diverged: finite().optional(), // value of a diverged run whose metric is not finite; absent = no data
});

const common = { where: selector(), labels: labels() };
// 95% interval: t over per-seed values, or BCa bootstrap over seeds (used from 10 seeds on)
const interval = oneOf(['t', 'bootstrap'] as const).default('t');
const trend = {
  ...common,
  x: text().default('batch_size'), // numeric column on the x axis
  tune: text().optional(), // per x, keep this column's value with the best mean metric (e.g. lr)
  tuneOn: oneOf(['validation', 'test'] as const).default('validation'), // the split that chooses the tuned value
  interval,
};

const testSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('paired-difference'), ...common, a: selector(), b: selector(), interval }),
  z.strictObject({ kind: z.literal('interaction'), ...common, a1: selector(), a2: selector(), b1: selector(), b2: selector(), interval }),
  z.strictObject({ kind: z.literal('equivalence'), ...common, a: selector(), b: selector(), margin: positiveNumber() }),
  z.strictObject({
    kind: z.literal('slope'), ...trend,
    y: oneOf(['metric', 'tuned'] as const).default('metric'), // fit the metric, or the tuned column's best value
    xScale: oneOf(['log', 'linear'] as const).default('log'),
    yScale: oneOf(['log', 'linear'] as const).default('log'),
    interpolate: oneOf(['parabola', 'none'] as const).default('parabola'), // y: tuned: refine the best value between grid points
  }),
  z.strictObject({ kind: z.literal('rank-correlation'), ...trend }),
  z.strictObject({ kind: z.literal('critical-batch'), ...trend }),
], { error: `expected a test: { kind: ${TEST_KINDS.join(' | ')}, ... }` });

const expectSchema = z.strictObject({
  above: finite().optional(), // claimed: statistic > above
  below: finite().optional(), // claimed: statistic < below
  between: z.tuple([finite(), finite()], { error: 'expected [low, high]' }).optional(), // claimed: inside the band
});

const bootstrapSchema = z.strictObject({
  iterations: positiveInt().default(2000), // resamples of the seeds
  seed: integer().default(0), // seed of the resampling stream: verdicts are reproducible
  level: fraction().refine((v) => v > 0, { error: 'expected a number in (0, 1)' }).default(0.95), // coverage
});

export const claimSchema = z.strictObject({
  id: text(), // e.g. C2
  statement: text(), // the claim in words
  metric: metricSchema,
  test: testSchema,
  expect: expectSchema.optional(), // required except for equivalence
  bootstrap: bootstrapSchema.prefault({}),
  minSeeds: integer().default(5), // paired seeds per group a verdict other than INCONCLUSIVE needs (>= 2)
});

function keysOf(schemas: z.ZodType[]): Set<string> {
  const keys = new Set<string>();
  for (const s of schemas) for (const k of Object.keys((s as unknown as { shape: object }).shape)) keys.add(k);
  return keys;
}
const KNOWN_KEYS = keysOf([claimSchema, metricSchema, expectSchema, bootstrapSchema, ...testSchema.options]);

type ParsedClaim = z.infer<typeof claimSchema>;
type Rule = (c: ParsedClaim) => Issue[];

const GROUP_KEYS: Record<string, string[]> = {
  'paired-difference': ['a', 'b'], equivalence: ['a', 'b'], interaction: ['a1', 'a2', 'b1', 'b2'],
};

const expectMatchesTest: Rule = ({ test, expect }) => {
  if (test.kind === 'equivalence') {
    return expect ? [{ path: 'claim.expect', message: 'expected nothing for an equivalence test (its margin is the expectation), got an expect block' }] : [];
  }
  if (!expect) return [{ path: 'claim.expect', message: `expected { above: t } | { below: t } | { between: [lo, hi] } for test kind ${test.kind}, got nothing` }];
  const given = (['above', 'below', 'between'] as const).filter((k) => expect[k] !== undefined);
  if (given.length !== 1) {
    return [{ path: 'claim.expect', message: `expected exactly one of above | below | between, got ${given.length ? given.join(' and ') : 'none'}` }];
  }
  const b = expect.between;
  return b && !(b[0] < b[1]) ? [{ path: 'claim.expect.between', message: `expected low < high, got [${b[0]}, ${b[1]}]` }] : [];
};

const metricOptions: Rule = ({ metric }) => {
  const issues: Issue[] = [];
  const targetMetric = (TARGET_METRICS as readonly string[]).includes(metric.name);
  const at = (k: string, message: string) => issues.push({ path: `claim.metric.${k}`, message });
  if (targetMetric && metric.target === undefined) at('target', `expected a number for ${metric.name}, got nothing`);
  if (metric.name === 'curve' && metric.column === undefined) at('column', 'expected a curve column for the curve metric (e.g. grad_var), got nothing');
  if (!targetMetric && metric.name !== 'curve' && metric.column !== undefined) at('column', `expected nothing for ${metric.name} (a summary metric), got ${JSON.stringify(metric.column)}`);
  if (!targetMetric) {
    if (metric.target !== undefined) at('target', `expected nothing for ${metric.name} (only for ${TARGET_METRICS.join(' | ')}), got ${metric.target}`);
    if (metric.reach !== undefined) at('reach', `expected nothing for ${metric.name} (only for ${TARGET_METRICS.join(' | ')}), got ${JSON.stringify(metric.reach)}`);
  }
  if (metric.name !== 'curve' && metric.reduce !== undefined) at('reduce', `expected nothing for ${metric.name} (only for curve), got ${JSON.stringify(metric.reduce)}`);
  return issues;
};

const tunedNeedsTune: Rule = ({ test }) =>
  test.kind === 'slope' && test.y === 'tuned' && !test.tune
    ? [{ path: 'claim.test.tune', message: 'expected the column to tune (e.g. lr) when y is tuned, got nothing' }]
    : [];

const labelsNameGroups: Rule = ({ test }) => {
  const known = GROUP_KEYS[test.kind] ?? [];
  return Object.keys(test.labels).filter((k) => !known.includes(k)).map((k) => ({
    path: `claim.test.labels.${k}`,
    message: known.length ? `expected a group of this test (${known.join(' | ')}), got ${JSON.stringify(k)}` : `expected no labels for test kind ${test.kind}, got ${JSON.stringify(k)}`,
  }));
};

const enoughSeeds: Rule = ({ minSeeds }) =>
  minSeeds >= 2 ? [] : [{ path: 'claim.minSeeds', message: `expected an integer >= 2 (an interval needs two seeds), got ${minSeeds}` }];

const RULES: Rule[] = [expectMatchesTest, metricOptions, tunedNeedsTune, labelsNameGroups, enoughSeeds];

export type ClaimValidation = { ok: true; claim: Claim } | { ok: false; issues: Issue[] };

/** `metric: final_test_acc` is shorthand for `metric: { name: final_test_acc }`. */
function normalise(input: unknown): unknown {
  if (input && typeof input === 'object' && !Array.isArray(input) && typeof (input as { metric?: unknown }).metric === 'string') {
    return { ...input, metric: { name: (input as { metric: string }).metric } };
  }
  return input;
}

/** Validates a claim block (as found under `claim:` in a spec); issues are located at claim.<path>. */
export function validateClaim(input: unknown): ClaimValidation {
  const normalised = normalise(input);
  const parsed = claimSchema.safeParse(normalised);
  if (!parsed.success) {
    const issues = formatSchemaIssues(parsed.error.issues, normalised, KNOWN_KEYS);
    return { ok: false, issues: issues.map((i) => ({ ...i, path: i.path ? `claim.${i.path}` : 'claim' })) };
  }
  const issues = RULES.flatMap((rule) => rule(parsed.data));
  if (issues.length) return { ok: false, issues };
  const { expect, ...rest } = parsed.data;
  const claim: Claim = { ...rest, ...(expect ? { expect: toExpectation(expect) } : {}) };
  return { ok: true, claim };
}

function toExpectation(e: z.infer<typeof expectSchema>): NonNullable<Claim['expect']> {
  if (e.above !== undefined) return { above: e.above };
  if (e.below !== undefined) return { below: e.below };
  return { between: e.between! };
}
