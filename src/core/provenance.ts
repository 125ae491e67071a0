/**
 * Where a result's code came from: the commits its runs recorded and whether the checkout was
 * clean (batchlab records git_commit, git_dirty and git_diff_hash in each run's environment).
 * A verdict from a dirty tree, or from runs made at several commits, cannot be reproduced from
 * one commit; `verify` says so beside it. Pure.
 */

export interface Provenance {
  /** 'clean': every run at one commit from a clean tree; 'dirty': some run from a changed tree;
   *  'mixed': clean runs at several commits; 'unrecorded': some run lacks the tree state (older batchlab). */
  status: 'clean' | 'dirty' | 'mixed' | 'unrecorded';
  /** Distinct git_commit values, in first-seen order. */
  commits: string[];
  runs: number;
  dirtyRuns: number;
  unrecordedRuns: number;
  /** Distinct git_diff_hash values of the dirty runs. */
  diffHashes: string[];
}

const text = (env: Record<string, unknown> | undefined, key: string) => (typeof env?.[key] === 'string' ? (env[key] as string) : undefined);

/** The provenance of runs with these environments (run.json `environment`; undefined for a run without one). */
export function summarizeProvenance(envs: readonly (Record<string, unknown> | undefined)[]): Provenance {
  const commits: string[] = [];
  const diffHashes: string[] = [];
  let dirtyRuns = 0;
  let unrecordedRuns = 0;
  for (const env of envs) {
    const commit = text(env, 'git_commit');
    if (commit && !commits.includes(commit)) commits.push(commit);
    const dirty = text(env, 'git_dirty');
    if (dirty === 'true') {
      dirtyRuns++;
      const h = text(env, 'git_diff_hash');
      if (h && !diffHashes.includes(h)) diffHashes.push(h);
    } else if (dirty !== 'false') unrecordedRuns++;
  }
  const status = dirtyRuns > 0 ? 'dirty' : unrecordedRuns > 0 ? 'unrecorded' : commits.length > 1 ? 'mixed' : 'clean';
  return { status, commits, runs: envs.length, dirtyRuns, unrecordedRuns, diffHashes };
}

const short = (c: string) => c.slice(0, 7);

/** 'clean at 3a7a6ed'; 'DIRTY tree: 3 of 50 runs (diff 1a2b3c4d) at 3a7a6ed'; 'tree state not recorded (at 3a7a6ed)'. */
export function describeProvenance(p: Provenance): string {
  const at = p.commits.length === 0 ? 'no commit recorded' : p.commits.length === 1 ? `at ${short(p.commits[0]!)}` : `at ${p.commits.length} commits (${p.commits.map(short).join(', ')})`;
  switch (p.status) {
    case 'clean': return `clean ${at}`;
    case 'mixed': return `clean, but ${at}`;
    case 'dirty': return `DIRTY tree: ${p.dirtyRuns} of ${p.runs} runs from uncommitted changes${p.diffHashes.length ? ` (diff ${p.diffHashes.map((h) => h.slice(0, 8)).join(', ')})` : ''}, ${at}`;
    case 'unrecorded': return `tree state not recorded for ${p.unrecordedRuns} of ${p.runs} runs (${at})`;
  }
}
