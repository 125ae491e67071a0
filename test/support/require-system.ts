/**
 * The one switch for suites that need something installed on the machine (a Debian package, a
 * running service). Such a suite is skipped where it is absent, with a message naming what to
 * install, unless BATCHLAB_REQUIRE_SYSTEM=1 says this machine must have it (CI), where its
 * absence fails the test file. Nothing else in the tests reads that variable.
 */

export interface RequireSystemOptions {
  /** Why it is unusable here, or how to install it beyond `apt-get install` (shown in both messages). */
  why?: string;
  /** Where to read BATCHLAB_REQUIRE_SYSTEM (tests of this helper pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Where the skip message goes. */
  warn?: (message: string) => void;
}

/**
 * Whether to skip a suite that needs the Debian package(s) `pkg` (space-separated): false when
 * `present`; when absent, prints why and returns true, or throws when BATCHLAB_REQUIRE_SYSTEM is '1'.
 */
export function requireSystem(pkg: string, present: boolean, opts: RequireSystemOptions = {}): boolean {
  if (present) return false;
  const { why, env = process.env, warn = console.warn } = opts;
  const detail = why ? ` (${why})` : '';
  if (env.BATCHLAB_REQUIRE_SYSTEM === '1') {
    throw new Error(`system package ${pkg} is required (BATCHLAB_REQUIRE_SYSTEM=1) but absent${detail}: apt-get install ${pkg}`);
  }
  warn(`skipped: needs the Debian package ${pkg}${detail}; apt-get install ${pkg}`);
  return true;
}
