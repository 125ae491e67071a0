/**
 * batchlab's errors and the exit codes the CLI maps them to. Every error batchlab raises derives
 * from BatchlabError, which carries its exit code; library code throws, only cli/main.ts exits.
 * Errors cross the worker boundary as ErrorData (toErrorData) and are rebuilt typed on the
 * other side (errorFromData).
 */

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** One problem with an input, located by a dotted path (e.g. `train.epochs`). */
export interface Issue {
  path: string;
  message: string;
}

/** The base of every error batchlab raises: its exit code, and the issues of bad input (else none). */
export abstract class BatchlabError extends Error {
  abstract readonly exitCode: number;
  readonly issues: Issue[];
  constructor(message: string, options?: ErrorOptions & { issues?: Issue[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
}

/**
 * Bad input from the user: a spec, a flag, a file. Exit code 2, nothing written. Each issue's
 * path names what to fix (`train.lr`, `--workers`, `results/sweep.json`).
 */
export class UsageError extends BatchlabError {
  override name = 'UsageError';
  readonly exitCode: number = EXIT.usage;
  constructor(message: string, issues: Issue[] = []) {
    super(message, { issues });
  }
}

/**
 * A broken invariant inside batchlab: something no spec, flag or file can cause (a statistic
 * called on no samples, a kernel given a tensor of the wrong shape). Exit code 1, reported as a
 * bug; `--debug` prints the stack.
 */
export class InternalError extends BatchlabError {
  override name = 'InternalError';
  readonly exitCode: number = EXIT.failure;
}

/**
 * A dataset, backend, system package or file that is missing or unusable (a checkpoint that does
 * not fit, a worker process that died); says what to do. Exit code 1.
 */
export class EnvironmentError extends BatchlabError {
  override name = 'EnvironmentError';
  readonly exitCode: number = EXIT.failure;
}

/** Thrown by code that observed an abort signal (Ctrl-C); the CLI exits 130. */
export class AbortedError extends BatchlabError {
  override name = 'AbortedError';
  readonly exitCode: number = EXIT.interrupted;
  constructor(message = 'aborted') {
    super(message);
  }
}

/** Error codes of a write the file system refused: read-only or not permitted, or no space left. */
const READ_ONLY_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
const isRefusedCode = (code: unknown): code is string => typeof code === 'string' && (READ_ONLY_CODES.has(code) || FULL_CODES.has(code));

/**
 * A write the file system refused (`errno`: EACCES, EPERM, EROFS, ENOSPC or EDQUOT). `folder` is
 * the output folder it names, once known (refusedWriteError); a run that hit it knows only the
 * file system's message.
 */
export class RefusedWriteError extends EnvironmentError {
  override name = 'RefusedWriteError';
  constructor(message: string, readonly errno: string, readonly folder?: string) {
    super(message);
  }
}

export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n');
}

/**
 * The code of a refused write (`EACCES`, `EPERM`, `EROFS`, `ENOSPC`, `EDQUOT`): a RefusedWriteError's,
 * or a Node error's `code`; else undefined.
 */
export function refusedWriteCode(err: unknown): string | undefined {
  if (err instanceof RefusedWriteError) return err.errno;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return isRefusedCode(code) ? code : undefined;
}

/**
 * A refused write into `folder` as a RefusedWriteError (exit 1) that names the folder and says
 * what to do (`err` itself when it already names one); undefined when `err` is not a refused
 * write (then it is rethrown as it was).
 */
export function refusedWriteError(err: unknown, folder: string): RefusedWriteError | undefined {
  if (err instanceof RefusedWriteError && err.folder !== undefined) return err;
  const code = refusedWriteCode(err);
  if (!code) return undefined;
  const detail = err instanceof Error ? err.message : String(err);
  const rerun = 'what was finished is kept: rerun the same command afterwards (a sweep resumes where it stopped)';
  if (FULL_CODES.has(code)) {
    return new RefusedWriteError(`cannot write to ${folder}: the disk (or your quota) is full (${detail}). ` +
      `Free some space, or write somewhere else with --out; ${rerun}`, code, folder);
  }
  return new RefusedWriteError(`cannot write to ${folder}: it is read-only or not writable by this user (${detail}). ` +
    `Make it writable (chmod u+w, or remount the disk read-write), or write somewhere else with --out; ${rerun}`, code, folder);
}

// --- across the worker boundary --------------------------------------------------------------

/** The error families ErrorData names, each rebuilt as its own class. */
const FAMILIES = {
  UsageError: (d: ErrorData) => new UsageError(d.message, d.issues),
  InternalError: (d: ErrorData) => new InternalError(d.message),
  EnvironmentError: (d: ErrorData) => new EnvironmentError(d.message),
  AbortedError: (d: ErrorData) => new AbortedError(d.message),
  RefusedWriteError: (d: ErrorData) => new RefusedWriteError(d.message, d.errno ?? 'EACCES', d.folder),
} as const;

export type ErrorFamily = keyof typeof FAMILIES;

/** An error as structured data, for a message between processes (JSON-safe). */
export interface ErrorData {
  /** The error's own name (`BackendUnavailableError`, `TypeError`). */
  name: string;
  /** The nearest family it belongs to: what it is rebuilt as. An untyped error is an InternalError (a bug). */
  family: ErrorFamily;
  /** Its exit code. */
  code: number;
  message: string;
  issues: Issue[];
  /** A refused write's file-system code, and the folder it names once known. */
  errno?: string;
  folder?: string;
}

function familyOf(err: BatchlabError): ErrorFamily {
  if (err instanceof RefusedWriteError) return 'RefusedWriteError';
  if (err instanceof UsageError) return 'UsageError';
  if (err instanceof AbortedError) return 'AbortedError';
  if (err instanceof EnvironmentError) return 'EnvironmentError';
  return 'InternalError';
}

/** `err` (anything thrown) as ErrorData. A Node error of a refused write becomes a RefusedWriteError. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof BatchlabError) {
    const data: ErrorData = { name: err.name, family: familyOf(err), code: err.exitCode, message: err.message, issues: err.issues };
    if (err instanceof RefusedWriteError) Object.assign(data, { errno: err.errno }, err.folder === undefined ? {} : { folder: err.folder });
    return data;
  }
  const message = err instanceof Error ? err.message : String(err);
  const errno = refusedWriteCode(err);
  if (errno) return { name: 'RefusedWriteError', family: 'RefusedWriteError', code: EXIT.failure, message, issues: [], errno };
  return { name: err instanceof Error ? err.name : 'Error', family: 'InternalError', code: EXIT.failure, message, issues: [] };
}

/** The typed error `data` describes: an instance of its family's class, keeping its own name. */
export function errorFromData(data: ErrorData): BatchlabError {
  const rebuild = FAMILIES[data.family] ?? FAMILIES.InternalError;
  const err = rebuild(data);
  err.name = data.name;
  return err;
}
