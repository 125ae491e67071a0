/**
 * The run's Math.random stream. tfjs draws one Math.random() per dropout mask, so a run seeds
 * Math.random globally (weights and data order have explicit seeds of their own); a checkpoint
 * keeps the stream's state so a resumed run draws the same masks an uninterrupted one would.
 */
import seedrandom from 'seedrandom';

/** The ARC4 state of seedrandom's generator: 256 bytes and two indices, plain JSON. */
export type RandomState = seedrandom.State.Arc4;

/** Seeds Math.random from the run seed. */
export function seedRunRandom(seed: number): void {
  seedrandom(String(seed), { global: true, state: true });
}

/** Math.random's state, if it is a generator seeded by seedRunRandom or restoreRunRandom. */
export function readRunRandom(): RandomState | null {
  const state = (Math.random as Partial<seedrandom.StatefulPRNG<RandomState>>).state;
  return typeof state === 'function' ? state() : null;
}

/** Continues Math.random from a state read by readRunRandom. */
export function restoreRunRandom(state: RandomState): void {
  seedrandom('', { global: true, state });
}
