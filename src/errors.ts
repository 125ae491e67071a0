/** Typed errors and the exit codes the CLI maps them to. Library code throws; only cli/main.ts exits. */

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** One problem with an input, located by a dotted path (e.g. `train.epochs`). */
export interface Issue {
  path: string;
  message: string;
}

/**
 * Bad input from the user: a spec, a flag, a file. Exit code 2, nothing written. Each issue's
 * path names what to fix (`train.lr`, `--workers`, `results/sweep.json`).
 */
export class UsageError extends Error {
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = []) {
    super(message);
    this.name = 'UsageError';
    this.issues = issues;
  }
}

/**
 * A broken invariant inside batchlab: something no spec, flag or file can cause (a statistic
 * called on no samples, a kernel given a tensor of the wrong shape). Exit code 1, reported as a
 * bug; `--debug` prints the stack.
 */
export class InternalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** A dataset, backend or system package that is missing or unusable; says what to install. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** Thrown by code that observed an abort signal (Ctrl-C); the CLI exits 130. */
export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n');
}
