/**
 * The import rules of .dependency-cruiser.cjs hold for src/ and scripts/. A violation fails with the rule's
 * name and the offending import; a fixture folder shows that the check can fail.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

/** Every violation of the rules in `baseDir`/src and `baseDir`/scripts, as `rule: from -> to` (a cycle lists its path). */
async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src', 'scripts'], { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) =>
    `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle?.length ? ` (cycle: ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`);
}

describe('layers', () => {
  it('src/ and scripts/ imports point one way (cli -> runner/report -> results -> train -> models/data/config -> backend -> core)', async () => {
    expect(await violations(root)).toEqual([]);
  });

  it('names the rule and the import that breaks it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchlab-layers-'));
    try {
      const files: Record<string, string> = {
        'src/errors.ts': 'export class UsageError extends Error {}\n',
        'src/models/norm.ts': "export const eps = 1e-5;\n",
        'src/backend/kernels.ts': "import { eps } from '../models/norm.ts';\nexport const k = eps;\n",
        'src/core/a.ts': "import { b } from './b.ts';\nexport const a = () => b();\n",
        'src/core/b.ts': "import { a } from './a.ts';\nexport const b = (): number => (a ? 1 : 0);\n",
        'src/results/write.ts': "import { render } from '../report/render.ts';\nexport const write = render;\n",
        'src/report/render.ts': "export const render = () => '';\n",
        'src/results/write.test.ts': "import { render } from '../report/render.ts';\nexport const t = render;\n",
        'test/support/helper.ts': "export const helper = 1;\n",
        'src/data/load.ts': "import { helper } from '../../test/support/helper.ts';\nexport const load = helper;\n",
        'src/data/load.test.ts': "import { helper } from '../../test/support/helper.ts';\nexport const t = helper;\n",
        'scripts/probes/probe.ts': "import { helper } from '../../test/support/helper.ts';\nexport const p = helper;\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), text);
      }
      const found = await violations(dir);
      expect(found).toContain('backend-below-models-data-config: src/backend/kernels.ts -> src/models/norm.ts');
      expect(found).toContain('results-below-runner-report: src/results/write.ts -> src/report/render.ts');
      expect(found.some((v) => v.startsWith('no-circular: src/core/'))).toBe(true);
      expect(found).toContain('no-test-helpers-outside-tests: src/data/load.ts -> test/support/helper.ts');
      expect(found).toContain('no-test-helpers-outside-tests: scripts/probes/probe.ts -> test/support/helper.ts');
      expect(found.some((v) => v.includes('write.test.ts') || v.includes('load.test.ts'))).toBe(false); // tests may import anything
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Where src/ below cli/ reads process.env: backend/options.ts applies the environment defaults of
 * BackendOptions, and nothing else reads a setting that changes results. The rest is process
 * plumbing (documented in docs/ARCHITECTURE.md): the bundle's worker entry, the system's library
 * search path for the Vulkan loader, the addon sizing OpenMP/OpenBLAS pools through their
 * variables, and the lock's stale time.
 */
const ENV_READERS_BELOW_CLI = [
  'src/backend/options.ts',
  'src/backend/native/addon.ts',
  'src/backend/vulkan-loader.ts',
  'src/results/folder-lock.ts',
  'src/runner/worker-process.ts',
];

describe('process.env below cli/', () => {
  it('is read only in the documented places', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const files = (await readdir(join(root, 'src'), { recursive: true }))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('cli/'))
      .map((f) => `src/${f}`);
    const readers: string[] = [];
    for (const f of files) {
      // Comments may name process.env; code is what counts.
      const code = (await readFile(join(root, f), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/process\.env\b/.test(code)) readers.push(f);
    }
    expect(readers.sort()).toEqual([...ENV_READERS_BELOW_CLI].sort());
  });
});
