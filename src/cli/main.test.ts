/**
 * How the CLI's one top-level catch labels what a command throws: a bug (InternalError, or any
 * untyped error) exits 1 and says so, with the stack only under --debug; bad input exits 2.
 * The doctor command stands in for any command: it is replaced by one that throws `thrown`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFromData, EXIT, InternalError, refusedWriteError, toErrorData, UsageError } from '../errors.ts';
import { main } from './main.ts';

let thrown: unknown;
vi.mock('./commands/doctor.ts', () => ({
  doctorCommand: async () => {
    throw thrown;
  },
}));

async function runDoctor(extra: string[] = []): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const code = await main(['doctor', ...extra], { out: () => {}, err: (l) => err.push(l), isTty: false });
  return { code, stderr: err.join('\n') };
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('main: errors', () => {
  afterEach(() => {
    thrown = undefined;
  });

  it('an InternalError exits 1, is called a bug, and hides the stack', async () => {
    thrown = new InternalError('statistics: samples: expected at least 1 value(s), got 0');
    const { code, stderr } = await runDoctor();
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain('internal error: statistics: samples: expected at least 1 value(s), got 0');
    expect(stderr).toContain('this is a bug in batchlab');
    expect(stderr).toContain('--debug');
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it('with --debug an InternalError prints its stack', async () => {
    thrown = new InternalError('kernel input \'x\' is missing');
    const { code, stderr } = await runDoctor(['--debug']);
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain('this is a bug in batchlab');
    expect(stderr).toMatch(STACK_LINE);
    expect(stderr).toContain('main.test.ts');
  });

  it('an untyped error is a bug too', async () => {
    thrown = new TypeError('cannot read properties of undefined');
    const { code, stderr } = await runDoctor();
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain('this is a bug in batchlab');
  });

  it('a UsageError exits 2 with its paths, not as a bug', async () => {
    thrown = new UsageError('invalid option', [{ path: '--workers', message: 'expected a positive integer, got 0' }]);
    const { code, stderr } = await runDoctor(['--debug']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('--workers: expected a positive integer, got 0');
    expect(stderr).not.toContain('bug');
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it('an error rebuilt from a worker exits with its own code: bad input 2 with its paths', async () => {
    thrown = errorFromData(toErrorData(new UsageError('invalid spec', [{ path: 'backend', message: 'expected auto | cpu, got "gpu"' }])));
    const { code, stderr } = await runDoctor();
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('backend: expected auto | cpu, got "gpu"');
  });

  it('a refused write exits 1 naming the folder, not as a bug', async () => {
    thrown = refusedWriteError(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }), 'results/x');
    const { code, stderr } = await runDoctor();
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain('error: cannot write to results/x: it is read-only');
    expect(stderr).not.toContain('bug');
  });
});
