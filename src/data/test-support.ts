/**
 * Test helper for suites that need a system package (e.g. Debian's dataset-fashion-mnist).
 * Such suites skip where the package is absent, unless BATCHLAB_REQUIRE_SYSTEM=1 says the
 * machine must have it, in which case its absence is a failure.
 */

/**
 * Whether to run a suite needing `pkg`: true when `present`; false when absent (skip); throws
 * when absent and `env.BATCHLAB_REQUIRE_SYSTEM` is '1'.
 */
export function requireSystem(pkg: string, present: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (present) return true;
  if (env.BATCHLAB_REQUIRE_SYSTEM === '1') {
    throw new Error(`system package ${pkg} is required (BATCHLAB_REQUIRE_SYSTEM=1) but absent: apt-get install ${pkg}`);
  }
  return false;
}

/** A suite title that says, when skipped, which package would enable it. */
export function systemSuiteTitle(title: string, pkg: string, run: boolean): string {
  return run ? title : `${title} [skipped: needs system package ${pkg}; apt-get install ${pkg}]`;
}

/** Index of the first differing value, -1 when equal; vitest's deep equality is slow on big typed arrays. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
