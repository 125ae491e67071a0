/**
 * A worker process's error reaches the sweep typed: sent as ErrorData, rebuilt as its family
 * (here a UsageError with its field path, from a backend name the worker cannot start).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKEND_OPTIONS } from '../backend/options.ts';
import { UsageError } from '../errors.ts';
import { launchWorker } from './worker-process.ts';

describe('worker errors', () => {
  it('a worker that cannot start rejects with the typed error it raised, issues included', async () => {
    const launch = launchWorker('no-such-backend', DEFAULT_BACKEND_OPTIONS);
    try {
      const err = await launch.ready.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).issues).toEqual([expect.objectContaining({ path: 'backend' })]);
    } finally {
      await launch.close();
    }
  }, 60_000);
});
