import { describe, expect, it } from 'vitest';
import { describeProvenance, summarizeProvenance } from './provenance.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('summarizeProvenance', () => {
  it('clean: every run at one commit with git_dirty false', () => {
    const p = summarizeProvenance([{ git_commit: A, git_dirty: 'false' }, { git_commit: A, git_dirty: 'false' }]);
    expect(p).toMatchObject({ status: 'clean', commits: [A], dirtyRuns: 0, unrecordedRuns: 0 });
    expect(describeProvenance(p)).toBe('clean at aaaaaaa');
  });
  it('dirty beats everything, with the diff hashes', () => {
    const p = summarizeProvenance([{ git_commit: A, git_dirty: 'false' }, { git_commit: A, git_dirty: 'true', git_diff_hash: 'c'.repeat(64) }]);
    expect(p.status).toBe('dirty');
    expect(describeProvenance(p)).toBe('DIRTY tree: 1 of 2 runs from uncommitted changes (diff cccccccc), at aaaaaaa');
  });
  it('older runs without the tree state are unrecorded; clean runs at two commits are mixed', () => {
    expect(describeProvenance(summarizeProvenance([{ git_commit: A }, undefined]))).toBe('tree state not recorded for 2 of 2 runs (at aaaaaaa)');
    expect(describeProvenance(summarizeProvenance([{ git_commit: A, git_dirty: 'false' }, { git_commit: B, git_dirty: 'false' }])))
      .toBe('clean, but at 2 commits (aaaaaaa, bbbbbbb)');
  });
});
