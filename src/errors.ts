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

/** Error codes of a write the file system refused: read-only or not permitted, or no space left. */
const READ_ONLY_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The code of a refused write (`EACCES`, `EPERM`, `EROFS`, `ENOSPC`, `EDQUOT`), from a Node error's
 * `code` or, for errors passed on from a worker process as text, from its message; else undefined.
 */
export function refusedWriteCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return READ_ONLY_CODES.has(code) || FULL_CODES.has(code) ? code : undefined;
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return /\b(EACCES|EPERM|EROFS|ENOSPC|EDQUOT):/.exec(text)?.[1];
}

/**
 * A refused write into `folder` as an EnvironmentError (exit 1) that names the folder and says
 * what to do; undefined when `err` is not a refused write (then it is rethrown as it was).
 */
export function refusedWriteError(err: unknown, folder: string): EnvironmentError | undefined {
  const code = refusedWriteCode(err);
  if (!code) return undefined;
  const detail = err instanceof Error ? err.message : String(err);
  const rerun = 'what was finished is kept: rerun the same command afterwards (a sweep resumes where it stopped)';
  if (FULL_CODES.has(code)) {
    return new EnvironmentError(`cannot write to ${folder}: the disk (or your quota) is full (${detail}). ` +
      `Free some space, or write somewhere else with --out; ${rerun}`);
  }
  return new EnvironmentError(`cannot write to ${folder}: it is read-only or not writable by this user (${detail}). ` +
    `Make it writable (chmod u+w, or remount the disk read-write), or write somewhere else with --out; ${rerun}`);
}
