/** Which runs of a results folder are finished (for resuming). */

/** Statuses that count as done: a rerun skips them. failed/aborted/running runs are retried. */
export const FINISHED = new Set(['completed', 'diverged']);
