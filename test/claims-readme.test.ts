/**
 * The README's claims table is generated, not hand-written: it must equal what
 * `batchlab verify --format md results/claims/<dir>/...` prints for the committed verdicts.
 * And every committed claim result must come from the spec now in experiments/claims: the
 * spec hash recorded in its sweep.json must match the hash of that spec resolved today.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyCommand } from '../src/cli/commands/verify.ts';
import type { Output } from '../src/cli/output.ts';
import { readSpec } from '../src/config/read-spec.ts';
import { specHash } from '../src/core/run-id.ts';

const ROOT = join(import.meta.dirname, '..');
const RESULTS = 'results/claims';
const START = '<!-- claims-table:start -->';
const END = '<!-- claims-table:end -->';

const claimDirs = readdirSync(join(ROOT, RESULTS), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, RESULTS, d.name, 'sweep.json')))
  .map((d) => d.name)
  .sort();

function readmeTable(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start, `README.md has no ${START} marker`).toBeGreaterThanOrEqual(0);
  expect(end, `README.md has no ${END} marker after the start`).toBeGreaterThan(start);
  return readme.slice(start + START.length, end).trim();
}

describe('README claims table', () => {
  it('equals `batchlab verify --format md` on the committed results', async () => {
    expect(claimDirs.length).toBeGreaterThan(0);
    const lines: string[] = [];
    const io: Output = { out: (l) => lines.push(l), err: () => {}, isTty: false };
    const cwd = process.cwd();
    process.chdir(ROOT); // the command links the directories as given, relative to the repository
    try {
      expect(await verifyCommand({ dirs: claimDirs.map((d) => `${RESULTS}/${d}`), format: 'md' }, io)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const printed = lines.join('\n').trim();
    expect(readmeTable(), `regenerate it: scripts/claims/update-readme-table.sh (batchlab verify, then verify --format md ${RESULTS}/*/ between the markers)`).toBe(printed);
  });
});

describe('committed claim results come from the specs in experiments/claims', () => {
  for (const name of claimDirs) {
    const sweep = JSON.parse(readFileSync(join(ROOT, RESULTS, name, 'sweep.json'), 'utf8')) as { specHash?: string };
    const specFile = join(ROOT, 'experiments/claims', `${name}.yaml`);
    if (sweep.specHash === undefined) {
      it.skip(`${name}: sweep.json records no spec hash (the results predate it; rerun the claim to record one)`, () => {});
      continue;
    }
    it(`${name}: the recorded spec hash matches experiments/claims/${name}.yaml`, async () => {
      expect(existsSync(specFile), `no spec ${specFile} for the committed results ${RESULTS}/${name}`).toBe(true);
      const spec = await readSpec(specFile);
      expect(sweep.specHash, `${RESULTS}/${name} was made from a different spec than ${specFile}; rerun the claim`).toBe(specHash(spec));
    });
  }
});
