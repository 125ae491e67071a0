import { describe, expect, it } from 'vitest';
import { EnvironmentError, refusedWriteCode, refusedWriteError } from './errors.ts';

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
    ['a worker error passed on as text', new Error("Error: ENOSPC: no space left on device, write"), 'ENOSPC'],
    ['a run record error string', "Error: EACCES: permission denied, open '/o/runs/ab/run.json.9.tmp'", 'EACCES'],
    ['a word that merely contains the code', new Error('NOEACCESS here'), undefined],
    ['not an error', 42, undefined],
    ['null', null, undefined],
  ])('%s', (_name, err, expected) => {
    expect(refusedWriteCode(err)).toBe(expected);
  });
});

describe('refusedWriteError', () => {
  it('names the folder and says what to do, per kind of refusal', () => {
    const ro = refusedWriteError(errno('EROFS'), 'results/tiny');
    expect(ro).toBeInstanceOf(EnvironmentError);
    expect(ro!.message).toMatch(/^cannot write to results\/tiny: it is read-only/);
    expect(ro!.message).toContain('chmod u+w');
    expect(ro!.message).toContain('--out');
    const full = refusedWriteError(errno('ENOSPC'), 'results/tiny');
    expect(full!.message).toMatch(/^cannot write to results\/tiny: the disk \(or your quota\) is full/);
    expect(full!.message).toContain('Free some space');
    expect(refusedWriteError(new TypeError('x is undefined'), 'results/tiny')).toBeUndefined();
  });
});
