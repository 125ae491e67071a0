import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './backend/backend-unavailable-error.ts';
import {
  AbortedError, BatchlabError, EnvironmentError, errorFromData, EXIT, InternalError, RefusedWriteError, refusedWriteCode,
  refusedWriteError, toErrorData, UsageError, type ErrorData,
} from './errors.ts';
import { CheckpointUnreadableError } from './results/checkpoint-store.ts';
import { CheckpointMismatchError } from './train/checkpoint-state.ts';

const errno = (code: string, message = `${code}: refused, open '/data/out/summary.csv.1.tmp'`) =>
  Object.assign(new Error(message), { code, path: '/data/out/summary.csv.1.tmp' });

describe('refusedWriteCode', () => {
  it.each([
    ['EACCES from fs', errno('EACCES'), 'EACCES'],
    ['EPERM from fs', errno('EPERM'), 'EPERM'],
    ['EROFS from fs', errno('EROFS'), 'EROFS'],
    ['ENOSPC from fs', errno('ENOSPC'), 'ENOSPC'],
    ['EDQUOT from fs', errno('EDQUOT'), 'EDQUOT'],
    ['ENOENT is not a refused write', errno('ENOENT'), undefined],
    ['a code wins over the message', errno('ENOENT', 'EACCES: in the text only'), undefined],
    ['a RefusedWriteError (as rebuilt from a worker)', new RefusedWriteError('ENOSPC: no space left on device, write', 'ENOSPC'), 'ENOSPC'],
    ['text is never read for a code', new Error('Error: ENOSPC: no space left on device, write'), undefined],
    ['nor is a string', "Error: EACCES: permission denied, open '/o/runs/ab/run.json.9.tmp'", undefined],
    ['not an error', 42, undefined],
    ['null', null, undefined],
  ])('%s', (_name, err, expected) => {
    expect(refusedWriteCode(err)).toBe(expected);
  });
});

describe('refusedWriteError', () => {
  it('names the folder and says what to do, per kind of refusal', () => {
    const ro = refusedWriteError(errno('EROFS'), 'results/tiny');
    expect(ro).toBeInstanceOf(RefusedWriteError);
    expect(ro).toBeInstanceOf(EnvironmentError);
    expect(ro).toMatchObject({ errno: 'EROFS', folder: 'results/tiny', exitCode: EXIT.failure });
    expect(ro!.message).toMatch(/^cannot write to results\/tiny: it is read-only/);
    expect(ro!.message).toContain('chmod u+w');
    expect(ro!.message).toContain('--out');
    const full = refusedWriteError(errno('ENOSPC'), 'results/tiny');
    expect(full!.message).toMatch(/^cannot write to results\/tiny: the disk \(or your quota\) is full/);
    expect(full!.message).toContain('Free some space');
    expect(refusedWriteError(new TypeError('x is undefined'), 'results/tiny')).toBeUndefined();
  });

  it('a refused write that already names its folder is kept, one from a run gets the folder', () => {
    const named = refusedWriteError(errno('EACCES'), 'results/a')!;
    expect(refusedWriteError(named, 'results/b')).toBe(named);
    const fromRun = errorFromData(toErrorData(errno('ENOSPC')));
    expect(refusedWriteError(fromRun, 'results/b')!.message).toMatch(/^cannot write to results\/b: the disk .* is full \(ENOSPC: refused/);
  });
});

describe('one error family', () => {
  it.each([
    ['UsageError', new UsageError('bad'), EXIT.usage],
    ['InternalError', new InternalError('bug'), EXIT.failure],
    ['EnvironmentError', new EnvironmentError('missing'), EXIT.failure],
    ['AbortedError', new AbortedError(), EXIT.interrupted],
    ['RefusedWriteError', new RefusedWriteError('EROFS: read-only', 'EROFS'), EXIT.failure],
    ['BackendUnavailableError', new BackendUnavailableError('webgpu', 'no adapter'), EXIT.failure],
    ['CheckpointMismatchError', new CheckpointMismatchError('3 weights, the model 4'), EXIT.failure],
    ['CheckpointUnreadableError', new CheckpointUnreadableError('checksum'), EXIT.failure],
  ])('%s is a BatchlabError with its exit code', (name, err, code) => {
    expect(err).toBeInstanceOf(BatchlabError);
    expect(err.name).toBe(name);
    expect(err.exitCode).toBe(code);
  });
});

describe('errors across the worker boundary', () => {
  /** As a message between processes carries it: JSON and back. */
  const acrossProcesses = (err: unknown) => errorFromData(JSON.parse(JSON.stringify(toErrorData(err))) as ErrorData);

  it.each([
    ['a UsageError, with its issues', new UsageError('invalid spec', [{ path: 'train.lr', message: 'expected > 0, got -1' }]), UsageError, 'UsageError', EXIT.usage],
    ['an InternalError', new InternalError('kernel input x is missing'), InternalError, 'InternalError', EXIT.failure],
    ['an AbortedError', new AbortedError('interrupted'), AbortedError, 'AbortedError', EXIT.interrupted],
    ['a subclass, as its family under its own name', new BackendUnavailableError('native', 'not built'), EnvironmentError, 'BackendUnavailableError', EXIT.failure],
    ['a checkpoint error', new CheckpointUnreadableError('checksum'), EnvironmentError, 'CheckpointUnreadableError', EXIT.failure],
    ['a RefusedWriteError naming its folder', refusedWriteError(errno('EROFS'), 'out')!, RefusedWriteError, 'RefusedWriteError', EXIT.failure],
    ['a Node error of a refused write', errno('EACCES'), RefusedWriteError, 'RefusedWriteError', EXIT.failure],
    ['an untyped error, as a bug', new TypeError('x is undefined'), InternalError, 'TypeError', EXIT.failure],
    ['a thrown string, as a bug', 'oops', InternalError, 'Error', EXIT.failure],
  ])('%s is rebuilt typed', (_label, err, family, name, code) => {
    const back = acrossProcesses(err);
    expect(back).toBeInstanceOf(family);
    expect(back.name).toBe(name);
    expect(back.exitCode).toBe(code);
    expect(back.message).toBe(err instanceof Error ? err.message : String(err));
    expect(back.issues).toEqual(err instanceof BatchlabError ? err.issues : []);
  });

  it('keeps a refused write\'s code and folder', () => {
    expect(acrossProcesses(refusedWriteError(errno('ENOSPC'), 'out'))).toMatchObject({ errno: 'ENOSPC', folder: 'out' });
    const fromRun = acrossProcesses(errno('EDQUOT'));
    expect(fromRun).toMatchObject({ errno: 'EDQUOT', folder: undefined });
    expect(refusedWriteCode(fromRun)).toBe('EDQUOT');
  });

  it('the data is name, family, exit code, message and issues', () => {
    expect(toErrorData(new UsageError('invalid option', [{ path: '--workers', message: 'expected a positive integer, got 0' }]))).toEqual({
      name: 'UsageError', family: 'UsageError', code: EXIT.usage, message: 'invalid option',
      issues: [{ path: '--workers', message: 'expected a positive integer, got 0' }],
    });
  });
});
